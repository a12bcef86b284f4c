//! `herald config`: print the defaults or the effective configuration.

use crate::cli::ConfigArgs;
use crate::config::{Config, EXAMPLE};
use anyhow::{bail, Context, Result};

pub fn run(config: &Config, args: &ConfigArgs) -> Result<()> {
    if args.print_defaults {
        print!("{EXAMPLE}");
    } else if args.print {
        print!(
            "{}",
            toml::to_string(config).context("serialising the configuration")?
        );
    } else {
        bail!("nothing to do: pass --print-defaults or --print");
    }
    Ok(())
}
