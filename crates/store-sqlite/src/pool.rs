//! A tiny pool of read connections. Connections are cheap to open but not free (each
//! parses the schema), so idle ones are kept, up to a bound.

use herald_store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::Mutex;

/// Idle read connections kept for reuse; more may be open at a busy moment. Opening
/// one parses the whole schema, so a busy portal (dozens of requests in flight, each
/// with a few reads) must not open and drop connections at every burst.
const MAX_IDLE: usize = 32;

/// Prepared statements kept per connection. Listings build their SQL from the filters
/// in use, so there are dozens of distinct statements; rusqlite's default of 16 made
/// them evict each other and be parsed and planned again on every page.
pub(crate) const STATEMENT_CACHE: usize = 256;

/// The store file is read through a memory map up to this size: pages come straight
/// from the operating system's cache, shared by every connection, instead of being
/// copied into each connection's own cache by a system call per page. Mapped pages
/// count as the process's resident memory (once per connection that touched them),
/// which is why the map is not larger: stores up to this size are read from it
/// whole, larger ones for their first part.
pub(crate) const MMAP_BYTES: i64 = 256 << 20;

pub(crate) struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub(crate) fn new(path: PathBuf) -> Self {
        Pool {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn get(&self) -> StoreResult<Connection> {
        if let Some(conn) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| StoreError::Database(format!("{}: {e}", self.path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| StoreError::Database(e.to_string()))?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)
            .map_err(|e| StoreError::Database(e.to_string()))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    pub(crate) fn put(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }
}
