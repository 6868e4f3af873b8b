//! Turns for the tests that share something process-wide or machine-wide.
//!
//! Every suite runs in one process (tests/tests.rs), so a lock held inside
//! one suite no longer keeps out the tests of another. `in.tftpd` logs
//! through syslog(3) to `/dev/log`; a test that binds `/dev/log` to read
//! those lines (log, served) must be alone: no other test's server may
//! write into it meanwhile. So:
//!
//! - [`alone`] (taken by `Syslog::capture`) waits until no other test holds
//!   a turn, and keeps every other test out while it lives;
//! - [`shared`] (taken by `tftpd_with` for each server it starts) lets any
//!   number of servers run together, but never beside an `alone` turn.
//!
//! A thread that already holds a turn takes it again without waiting (a
//! test that binds `/dev/log` and then starts its own servers, or starts
//! two servers), so no test waits on itself.

use std::cell::RefCell;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

static TURNS: RwLock<()> = RwLock::new(());

enum Held {
    Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>),
    Alone(#[allow(dead_code)] RwLockWriteGuard<'static, ()>),
}

thread_local! {
    /// The turn this thread holds, and how many `Turn`s stand on it.
    static HELD: RefCell<Option<(Held, usize)>> = const { RefCell::new(None) };
}

/// A turn; the thread gives it back when its last `Turn` is dropped.
pub struct Turn(());

impl Drop for Turn {
    fn drop(&mut self) {
        HELD.with(|h| {
            let mut h = h.borrow_mut();
            if let Some((_, n)) = h.as_mut() {
                *n -= 1;
                if *n == 0 {
                    *h = None;
                }
            }
        });
    }
}

/// A turn beside other `shared` turns, never beside an `alone` one.
pub fn shared() -> Turn {
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        match h.as_mut() {
            Some((_, n)) => *n += 1,
            None => {
                let g = TURNS.read().unwrap_or_else(PoisonError::into_inner);
                *h = Some((Held::Shared(g), 1));
            }
        }
    });
    Turn(())
}

/// A turn no other test holds a turn beside.
pub fn alone() -> Turn {
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        match h.as_mut() {
            Some((Held::Alone(_), n)) => *n += 1,
            Some((Held::Shared(_), _)) => {
                panic!("a test takes its turn alone (binds /dev/log) before it starts any in.tftpd")
            }
            None => {
                let g = TURNS.write().unwrap_or_else(PoisonError::into_inner);
                *h = Some((Held::Alone(g), 1));
            }
        }
    });
    Turn(())
}
