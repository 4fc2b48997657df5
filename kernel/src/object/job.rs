//! Jobs: the tree processes live in. A job groups child jobs and processes, gives them
//! its policy, and kills them all when it is killed.
//!
//! Ownership runs upward: a child (job or process) holds its parent job, a job holds
//! its children only weakly. So a job lives while a handle or a child needs it, and a
//! running process that nobody has a handle to still keeps its job (and the job's
//! ancestors) alive; a child leaving (dying, or dropped with no handles) takes itself
//! out of its parent's lists.
//!
//! Invariants, under the job's lock:
//! - the signals say NO_JOBS / NO_PROCESSES / NO_CHILDREN exactly when the lists are
//!   empty, and TERMINATED exactly when the job is `Dead`;
//! - a job that is `Killing` or `Dead` takes no new children (BAD_STATE);
//! - a `Killing` job becomes `Dead` when its last child leaves, and then leaves its own
//!   parent; the root job is never killed by the kernel itself.
//!
//! No lock of a job is held while another job's or a process's is taken: kills walk
//! down with lists copied out, removals walk up one lock at a time.

use super::counts::{Counted, Kind as CountedKind};
use super::handle::HandleCount;
use super::koid;
use super::policy::{JobPolicy, Request};
use super::process::{Exit, Name, Process};
use crate::lockorder;
use crate::task::lock::IrqMutex;
use crate::task::wait::Signals;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use libzircon::prelude::*;
use libzircon::Status;
use spin::Mutex;

/// How many levels of jobs the root job may have below it.
pub const ROOT_JOB_MAX_HEIGHT: u32 = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    Running,
    /// Killed; some children are still dying.
    Killing,
    Dead,
}

struct JobState {
    life: Life,
    /// The `ZX_TASK_RETCODE_*` it was killed with.
    return_code: i64,
    jobs: Vec<(zx_koid_t, Weak<Job>)>,
    processes: Vec<(zx_koid_t, Weak<Process>)>,
    policy: JobPolicy,
    /// `ZX_JOB_POL_TIMER_SLACK`, stored for a later timer-slack implementation (timers
    /// use zero slack today; digest 1.3).
    timer_slack: zx_policy_timer_slack_t,
}

pub struct Job {
    pub koid: zx_koid_t,
    /// None for the root job.
    pub parent: Option<Arc<Job>>,
    /// How many more levels of jobs may be created below this one.
    max_height: u32,
    pub name: Mutex<Name>,
    /// Lock: `lockorder::JOB` (IRQs masked: the signals are updated under it).
    state: IrqMutex<JobState>,
    /// ZX_JOB_NO_JOBS, ZX_JOB_NO_PROCESSES, ZX_JOB_NO_CHILDREN, ZX_JOB_TERMINATED.
    pub signals: Signals,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    /// Its exception channel, and its debugger channels.
    pub exceptionate: super::exception::Exceptionate,
    pub debug_exceptionate: super::exception::Exceptionate,
    _counted: Counted,
}

static ROOT: spin::Once<Arc<Job>> = spin::Once::new();

impl Job {
    fn new(parent: Option<Arc<Job>>, max_height: u32, policy: JobPolicy) -> Arc<Job> {
        Arc::new(Job {
            koid: koid::next(),
            parent,
            max_height,
            name: Mutex::new(Name::new("")),
            state: IrqMutex::new(
                lockorder::JOB,
                JobState {
                    life: Life::Running,
                    return_code: 0,
                    jobs: Vec::new(),
                    processes: Vec::new(),
                    policy,
                    timer_slack: zx_policy_timer_slack_t::default(),
                },
            ),
            signals: Signals::new(ZX_JOB_NO_JOBS | ZX_JOB_NO_PROCESSES | ZX_JOB_NO_CHILDREN),
            handle_count: HandleCount::new(),
            exceptionate: super::exception::Exceptionate::new(ZX_EXCEPTION_CHANNEL_TYPE_JOB),
            debug_exceptionate: super::exception::Exceptionate::job_debugger(),
            _counted: Counted::new(CountedKind::Job),
        })
    }

    /// The root job, made on first use (at boot): every other job descends from it.
    pub fn root() -> Arc<Job> {
        ROOT.call_once(|| {
            let root = Job::new(None, ROOT_JOB_MAX_HEIGHT, JobPolicy::root());
            *root.name.lock() = Name::new("root");
            root
        })
        .clone()
    }

    /// zx_job_create's work: a child job with this job's policy. OUT_OF_RANGE when
    /// the tree would grow too deep, BAD_STATE when this job is being killed.
    pub fn create_child(self: &Arc<Self>) -> Result<Arc<Job>, Status> {
        if self.max_height == 0 {
            return Err(Status::OUT_OF_RANGE);
        }
        let policy = self.policy();
        let child = Job::new(Some(self.clone()), self.max_height - 1, policy);
        let mut s = self.state.lock();
        if s.life != Life::Running {
            drop(s);
            // Its Drop finds nothing to remove: it was never added.
            return Err(Status::BAD_STATE);
        }
        s.jobs.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
        s.jobs.push((child.koid, Arc::downgrade(&child)));
        self.update_signals(&s);
        drop(s);
        Ok(child)
    }

    /// Adds a new process (zx_process_create): BAD_STATE when this job is being killed.
    pub fn add_process(&self, process: &Arc<Process>) -> Result<(), Status> {
        let mut s = self.state.lock();
        if s.life != Life::Running {
            return Err(Status::BAD_STATE);
        }
        s.processes.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
        s.processes.push((process.koid, Arc::downgrade(process)));
        self.update_signals(&s);
        Ok(())
    }

    /// A process of this job died or was dropped.
    pub fn remove_process(&self, koid: zx_koid_t) {
        {
            let mut s = self.state.lock();
            let before = s.processes.len();
            s.processes.retain(|(k, _)| *k != koid);
            if s.processes.len() == before {
                return;
            }
            self.update_signals(&s);
        }
        self.finish_if_empty();
    }

    /// A child job died or was dropped.
    fn remove_job(&self, koid: zx_koid_t) {
        {
            let mut s = self.state.lock();
            let before = s.jobs.len();
            s.jobs.retain(|(k, _)| *k != koid);
            if s.jobs.len() == before {
                return;
            }
            self.update_signals(&s);
        }
        self.finish_if_empty();
    }

    fn update_signals(&self, s: &JobState) {
        let mut set = 0;
        if s.jobs.is_empty() {
            set |= ZX_JOB_NO_JOBS;
        }
        if s.processes.is_empty() {
            set |= ZX_JOB_NO_PROCESSES;
        }
        if s.jobs.is_empty() && s.processes.is_empty() {
            set |= ZX_JOB_NO_CHILDREN;
        }
        if s.life == Life::Dead {
            set |= ZX_JOB_TERMINATED;
        }
        let all = ZX_JOB_NO_JOBS | ZX_JOB_NO_PROCESSES | ZX_JOB_NO_CHILDREN | ZX_JOB_TERMINATED;
        self.signals.update(all & !set, set);
    }

    /// zx_task_kill: no more children; every child job and process is killed with
    /// `code`; the job is dead (TERMINATED) once they all are. Killing a job that is
    /// already being killed or dead does nothing.
    pub fn kill(&self, code: i64) {
        {
            let mut s = self.state.lock();
            if s.life != Life::Running {
                return;
            }
            s.life = Life::Killing;
            s.return_code = code;
        }
        // The lists are walked in koid order (the order children were added) one child
        // at a time, with no copy to allocate and the lock dropped for each kill: a
        // child leaving meanwhile shifts the list but never makes the walk skip one.
        let mut after = 0;
        while let Some((koid, job)) = self.next_child(after, |s| &s.jobs) {
            after = koid;
            // Upgraded outside the lock: a drop of the last reference takes it again.
            if let Some(job) = job.upgrade() {
                job.kill(code);
            }
        }
        let mut after = 0;
        while let Some((koid, process)) = self.next_child(after, |s| &s.processes) {
            after = koid;
            if let Some(process) = process.upgrade() {
                process.kill_with(Exit::Exited(code));
            }
        }
        self.finish_if_empty();
    }

    /// The first entry of a child list with a koid above `after`.
    fn next_child<T>(
        &self,
        after: zx_koid_t,
        list: impl Fn(&JobState) -> &Vec<(zx_koid_t, Weak<T>)>,
    ) -> Option<(zx_koid_t, Weak<T>)> {
        let s = self.state.lock();
        list(&s)
            .iter()
            .find(|(k, _)| *k > after)
            .map(|(k, w)| (*k, w.clone()))
    }

    /// A killed job whose children are all gone is dead: TERMINATED rises and it leaves
    /// its parent.
    fn finish_if_empty(&self) {
        {
            let mut s = self.state.lock();
            if s.life != Life::Killing || !s.jobs.is_empty() || !s.processes.is_empty() {
                return;
            }
            s.life = Life::Dead;
            self.update_signals(&s);
        }
        self.exceptionate.shut_down();
        self.debug_exceptionate.shut_down();
        if let Some(parent) = &self.parent {
            parent.remove_job(self.koid);
        }
    }

    /// The policy its processes and new child jobs get.
    pub fn policy(&self) -> JobPolicy {
        self.state.lock().policy
    }

    /// zx_job_set_policy's basic topics: only while the job has no children.
    pub fn set_basic_policy(&self, mode: u32, requests: &[Request]) -> Result<(), Status> {
        let mut s = self.state.lock();
        if !s.jobs.is_empty() || !s.processes.is_empty() {
            return Err(Status::BAD_STATE);
        }
        s.policy = s.policy.with(mode, requests)?;
        Ok(())
    }

    /// zx_job_set_policy's timer-slack topic: only while the job has no children.
    pub fn set_timer_slack(&self, slack: zx_policy_timer_slack_t) -> Result<(), Status> {
        let mut s = self.state.lock();
        if !s.jobs.is_empty() || !s.processes.is_empty() {
            return Err(Status::BAD_STATE);
        }
        if slack.min_slack < 0 || slack.default_mode > ZX_TIMER_SLACK_LATE {
            return Err(Status::INVALID_ARGS);
        }
        // The effective minimum is the larger of the parent's and this one.
        let min = s.timer_slack.min_slack.max(slack.min_slack);
        s.timer_slack = zx_policy_timer_slack_t {
            min_slack: min,
            ..slack
        };
        Ok(())
    }

    /// `ZX_INFO_JOB`.
    pub fn info(&self) -> zx_info_job_t {
        let s = self.state.lock();
        let exited = s.life == Life::Dead;
        zx_info_job_t {
            return_code: if exited { s.return_code } else { 0 },
            exited: exited as u8,
            ..Default::default()
        }
    }

    /// The koids of the live child jobs (ZX_INFO_JOB_CHILDREN) or processes
    /// (ZX_INFO_JOB_PROCESSES), in creation order.
    pub fn child_koids(&self, processes: bool) -> Result<Vec<zx_koid_t>, Status> {
        let s = self.state.lock();
        let mut out = Vec::new();
        if processes {
            out.try_reserve(s.processes.len())
                .map_err(|_| Status::NO_MEMORY)?;
            out.extend(s.processes.iter().map(|(k, _)| *k));
        } else {
            out.try_reserve(s.jobs.len())
                .map_err(|_| Status::NO_MEMORY)?;
            out.extend(s.jobs.iter().map(|(k, _)| *k));
        }
        Ok(out)
    }

    /// The child job with `koid`, if it is alive.
    pub fn child_job(&self, koid: zx_koid_t) -> Option<Arc<Job>> {
        let weak = {
            let s = self.state.lock();
            s.jobs
                .iter()
                .find(|(k, _)| *k == koid)
                .map(|(_, j)| j.clone())
        };
        weak?.upgrade()
    }

    /// The process of this job with `koid`, if it is alive.
    pub fn child_process(&self, koid: zx_koid_t) -> Option<Arc<Process>> {
        let weak = {
            let s = self.state.lock();
            s.processes
                .iter()
                .find(|(k, _)| *k == koid)
                .map(|(_, p)| p.clone())
        };
        weak?.upgrade()
    }

    /// ZX_INFO_HANDLE_BASIC's related_koid: the parent's koid (0 for the root).
    pub fn parent_koid(&self) -> zx_koid_t {
        self.parent.as_ref().map_or(0, |p| p.koid)
    }
}

impl Drop for Job {
    /// The last reference went (no handle, no child): leave the parent's list.
    fn drop(&mut self) {
        if let Some(parent) = &self.parent {
            parent.remove_job(self.koid);
        }
    }
}
