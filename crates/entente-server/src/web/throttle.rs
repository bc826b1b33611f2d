//! Slowing down password guessing: after [`FREE_FAILURES`] failed sign-ins in a row
//! for one user name, that name is refused for [`LOCK_MICROS`] whatever the password.
//! Kept in memory (a restart forgets it); bounded so that guessing many names cannot
//! grow it without end. API tokens need none of this: they are 256 random bits.

use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) const FREE_FAILURES: u32 = 5;
pub(crate) const LOCK_MICROS: i64 = 60 * 1_000_000;
const MAX_NAMES: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct Throttle {
    /// Per name: failures in a row, and when the last one happened.
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

impl Throttle {
    /// Whether `name` may try now; if not, for how many more seconds it is locked.
    pub(crate) fn check(&self, name: &str, now_micros: i64) -> Result<(), i64> {
        let failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match failures.get(name) {
            Some(&(count, last)) if count >= FREE_FAILURES && now_micros - last < LOCK_MICROS => {
                Err((LOCK_MICROS - (now_micros - last)) / 1_000_000 + 1)
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn failed(&self, name: &str, now_micros: i64) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() >= MAX_NAMES {
            failures.retain(|_, (_, last)| now_micros - *last < LOCK_MICROS);
        }
        let entry = failures.entry(name.to_owned()).or_insert((0, now_micros));
        *entry = (entry.0 + 1, now_micros);
    }

    pub(crate) fn succeeded(&self, name: &str) {
        self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_a_name_after_failures_for_a_while() {
        let throttle = Throttle::default();
        for n in 0..FREE_FAILURES {
            assert_eq!(throttle.check("maria", n as i64), Ok(()));
            throttle.failed("maria", n as i64);
        }
        assert!(throttle.check("maria", 10).is_err());
        assert_eq!(throttle.check("other", 10), Ok(()));
        assert_eq!(throttle.check("maria", 4 + LOCK_MICROS), Ok(()), "the lock ends");
        throttle.succeeded("maria");
        assert_eq!(throttle.check("maria", 10), Ok(()));
    }
}
