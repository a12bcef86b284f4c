//! `herald user add|passwd NAME`: admin accounts.

use crate::app::Herald;
use crate::cli::UserCommand;
use anyhow::{anyhow, bail, Context, Result};
use herald_store::StoreError;
use std::io::{BufRead, IsTerminal};

pub async fn run(herald: &Herald, command: &UserCommand) -> Result<()> {
    match command {
        UserCommand::Add(args) => {
            let name =
                herald_comments::validate_username(&args.name).map_err(|e| anyhow!("{e}"))?;
            let hash = new_password_hash(&name)?;
            match herald.store.add_user(&name, &hash).await {
                Ok(_) => {}
                Err(StoreError::Conflict(_)) => {
                    bail!("the account {name} exists; `herald user passwd {name}` sets a new password")
                }
                Err(e) => return Err(e.into()),
            }
            herald
                .store
                .log_admin_action("cli", "user.add", &format!("account {name} created"))
                .await?;
            println!("Created the account {name}. Sign in at /admin/login.");
        }
        UserCommand::Passwd(args) => {
            let user = herald
                .store
                .user_by_name(&args.name)
                .await?
                .ok_or_else(|| anyhow!("no account {}", args.name))?;
            let hash = new_password_hash(&user.name)?;
            herald.store.set_user_password(user.id, &hash).await?;
            herald
                .store
                .log_admin_action(
                    "cli",
                    "user.passwd",
                    &format!("password of {} changed", user.name),
                )
                .await?;
            println!("New password set for {}.", user.name);
        }
    }
    Ok(())
}

/// Reads a password (prompted twice on a terminal, one line of stdin otherwise),
/// checks its strength and hashes it with argon2id.
fn new_password_hash(name: &str) -> Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("reading the password")?;
        let second = rpassword::prompt_password("Again: ").context("reading the password")?;
        if first != second {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    herald_comments::check_password_strength(&password, name).map_err(|e| anyhow!("{e}"))?;
    herald_comments::hash_password(&password).map_err(|e| anyhow!("hashing the password: {e}"))
}
