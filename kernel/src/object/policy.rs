//! Job policies: for each condition (`ZX_POL_*`), the action taken when a process of the
//! job meets it, and whether child jobs may change that action.
//!
//! A policy is a value: a job copies its parent's at creation and may change it with
//! `zx_job_set_policy` only while it has no children, so a process reads its job's
//! policy once, when it is created, and keeps it.
//!
//! Invariants: every condition has an action below `ZX_POL_ACTION_MAX`; the root policy
//! allows everything and lets children change everything; `ZX_POL_NEW_ANY` is never
//! stored, it stands for the `NEW_*` conditions of [`NEW_OBJECT_CONDITIONS`].

use libzircon::prelude::*;
use libzircon::Status;

/// The conditions `ZX_POL_NEW_ANY` stands for.
pub const NEW_OBJECT_CONDITIONS: [u32; 11] = [
    ZX_POL_NEW_VMO,
    ZX_POL_NEW_CHANNEL,
    ZX_POL_NEW_EVENT,
    ZX_POL_NEW_EVENTPAIR,
    ZX_POL_NEW_PORT,
    ZX_POL_NEW_SOCKET,
    ZX_POL_NEW_FIFO,
    ZX_POL_NEW_TIMER,
    ZX_POL_NEW_PROCESS,
    ZX_POL_NEW_PROFILE,
    ZX_POL_NEW_PAGER,
];

/// One condition's entry: its action and whether children may override it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    action: u32,
    override_allowed: bool,
}

/// The basic policy of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobPolicy {
    /// Indexed by condition; the `ZX_POL_NEW_ANY` slot is unused.
    entries: [Entry; ZX_POL_MAX as usize],
}

/// One entry of a `zx_job_set_policy` request, in the V2 form (V1 entries arrive with
/// `flags` = `ZX_POL_OVERRIDE_DENY`, as Zircon converts them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub condition: u32,
    pub action: u32,
    pub flags: u32,
}

impl JobPolicy {
    /// The root job's: everything allowed, everything overridable.
    pub const fn root() -> Self {
        JobPolicy {
            entries: [Entry {
                action: ZX_POL_ACTION_ALLOW,
                override_allowed: true,
            }; ZX_POL_MAX as usize],
        }
    }

    /// The action for `condition` (DENY for a condition that does not exist).
    pub fn action(&self, condition: u32) -> u32 {
        match self.entries.get(condition as usize) {
            Some(e) if condition != ZX_POL_NEW_ANY => e.action,
            _ => ZX_POL_ACTION_DENY,
        }
    }

    /// Sets one condition (never `ZX_POL_NEW_ANY`). An entry the parent fixed
    /// (override denied) is left alone: fine if it already says the same and the
    /// request fixes it too, or in relative mode; ALREADY_EXISTS in absolute mode.
    fn set(&mut self, mode: u32, condition: u32, action: u32, flags: u32) -> Result<(), Status> {
        if action >= ZX_POL_ACTION_MAX {
            return Err(Status::NOT_SUPPORTED);
        }
        let override_allowed = match flags {
            ZX_POL_OVERRIDE_ALLOW => true,
            ZX_POL_OVERRIDE_DENY => false,
            _ => return Err(Status::INVALID_ARGS),
        };
        let entry = match self.entries.get_mut(condition as usize) {
            Some(e) if condition != ZX_POL_NEW_ANY => e,
            _ => return Err(Status::INVALID_ARGS),
        };
        if entry.override_allowed {
            *entry = Entry {
                action,
                override_allowed,
            };
            return Ok(());
        }
        if entry.action == action && !override_allowed {
            return Ok(());
        }
        if mode == ZX_JOB_POL_ABSOLUTE {
            Err(Status::ALREADY_EXISTS)
        } else {
            Ok(())
        }
    }

    /// Applies `requests` (zx_job_set_policy's basic topics) to a copy of this policy
    /// and returns it; on an error this policy is unchanged.
    pub fn with(&self, mode: u32, requests: &[Request]) -> Result<JobPolicy, Status> {
        if requests.len() > ZX_POL_MAX as usize {
            return Err(Status::OUT_OF_RANGE);
        }
        let mut new = *self;
        let mut new_any_flags = None;
        for r in requests {
            if r.condition == ZX_POL_NEW_ANY {
                for c in NEW_OBJECT_CONDITIONS {
                    new.set(mode, c, r.action, ZX_POL_OVERRIDE_ALLOW)?;
                }
                new_any_flags = Some(r.flags);
            } else {
                new.set(mode, r.condition, r.action, r.flags)?;
            }
        }
        // NEW_ANY's override flag applies once all its actions are in.
        if let Some(flags) = new_any_flags {
            let override_allowed = match flags {
                ZX_POL_OVERRIDE_ALLOW => true,
                ZX_POL_OVERRIDE_DENY => false,
                _ => return Err(Status::INVALID_ARGS),
            };
            for c in NEW_OBJECT_CONDITIONS {
                new.entries[c as usize].override_allowed = override_allowed;
            }
        }
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(condition: u32, action: u32, flags: u32) -> Request {
        Request {
            condition,
            action,
            flags,
        }
    }

    #[test]
    fn root_allows_everything() {
        let p = JobPolicy::root();
        for c in 0..ZX_POL_MAX {
            if c != ZX_POL_NEW_ANY {
                assert_eq!(p.action(c), ZX_POL_ACTION_ALLOW);
            }
        }
        assert_eq!(p.action(ZX_POL_MAX), ZX_POL_ACTION_DENY);
    }

    #[test]
    fn new_any_sets_every_new_condition_but_not_the_others() {
        let p = JobPolicy::root()
            .with(
                ZX_JOB_POL_RELATIVE,
                &[req(
                    ZX_POL_NEW_ANY,
                    ZX_POL_ACTION_DENY,
                    ZX_POL_OVERRIDE_ALLOW,
                )],
            )
            .unwrap();
        for c in NEW_OBJECT_CONDITIONS {
            assert_eq!(p.action(c), ZX_POL_ACTION_DENY);
        }
        assert_eq!(p.action(ZX_POL_BAD_HANDLE), ZX_POL_ACTION_ALLOW);
        assert_eq!(p.action(ZX_POL_AMBIENT_MARK_VMO_EXEC), ZX_POL_ACTION_ALLOW);
    }

    #[test]
    fn a_fixed_entry_is_kept_in_relative_mode_and_refused_in_absolute_mode() {
        let parent = JobPolicy::root()
            .with(
                ZX_JOB_POL_ABSOLUTE,
                &[req(
                    ZX_POL_NEW_VMO,
                    ZX_POL_ACTION_DENY,
                    ZX_POL_OVERRIDE_DENY,
                )],
            )
            .unwrap();
        let allow = [req(
            ZX_POL_NEW_VMO,
            ZX_POL_ACTION_ALLOW,
            ZX_POL_OVERRIDE_ALLOW,
        )];
        let relative = parent.with(ZX_JOB_POL_RELATIVE, &allow).unwrap();
        assert_eq!(relative.action(ZX_POL_NEW_VMO), ZX_POL_ACTION_DENY);
        assert_eq!(
            parent.with(ZX_JOB_POL_ABSOLUTE, &allow),
            Err(Status::ALREADY_EXISTS)
        );
        // Restating the fixed entry is fine.
        let same = [req(
            ZX_POL_NEW_VMO,
            ZX_POL_ACTION_DENY,
            ZX_POL_OVERRIDE_DENY,
        )];
        assert!(parent.with(ZX_JOB_POL_ABSOLUTE, &same).is_ok());
    }

    #[test]
    fn bad_entries_are_refused_and_change_nothing() {
        let p = JobPolicy::root();
        assert_eq!(
            p.with(ZX_JOB_POL_RELATIVE, &[req(ZX_POL_MAX, 0, 0)]),
            Err(Status::INVALID_ARGS)
        );
        assert_eq!(
            p.with(
                ZX_JOB_POL_RELATIVE,
                &[req(ZX_POL_NEW_VMO, ZX_POL_ACTION_MAX, 0)]
            ),
            Err(Status::NOT_SUPPORTED)
        );
        assert_eq!(
            p.with(ZX_JOB_POL_RELATIVE, &[req(ZX_POL_NEW_VMO, 0, 2)]),
            Err(Status::INVALID_ARGS)
        );
        let too_many = [req(ZX_POL_NEW_VMO, 0, 0); ZX_POL_MAX as usize + 1];
        assert_eq!(
            p.with(ZX_JOB_POL_RELATIVE, &too_many),
            Err(Status::OUT_OF_RANGE)
        );
        assert_eq!(p, JobPolicy::root());
    }
}
