//! Kernel objects and the handles that name them.
//!
//! Safe Rust only: the objects' semantics live here, above arch/ and mm/.

#![deny(unsafe_code)]

pub mod counts;
pub mod handle;
pub mod koid;
pub mod policy;
pub mod vmar;
pub mod vmo;

#[cfg(target_os = "none")]
pub mod channel;
#[cfg(target_os = "none")]
pub mod event;
#[cfg(target_os = "none")]
pub mod exception;
#[cfg(target_os = "none")]
pub mod job;
#[cfg(target_os = "none")]
pub mod port;
#[cfg(target_os = "none")]
pub mod process;

#[cfg(target_os = "none")]
pub use job::Job;
#[cfg(target_os = "none")]
pub use process::{
    Event, EventPairEnd, KernelVmo, Object, Process, Resource, ResourceKind, Thread, Timer, Vmar,
};
