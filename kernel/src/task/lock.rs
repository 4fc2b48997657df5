//! Spin locks that mask IRQs while held, for state an interrupt handler also takes
//! (signals, timers, thread scheduling state, run queues). Each has a level in
//! `crate::lockorder`; debug builds check the order on every acquisition.

use crate::arch::cpu::IrqGuard;
use crate::lockorder::Level;
use core::ops::{Deref, DerefMut};

pub struct IrqMutex<T> {
    level: Level,
    inner: spin::Mutex<T>,
}

pub struct IrqMutexGuard<'a, T> {
    guard: Option<spin::MutexGuard<'a, T>>,
    level: Level,
    // Dropped last: IRQs come back only after the lock is released.
    _irq: IrqGuard,
}

impl<T> IrqMutex<T> {
    pub const fn new(level: Level, value: T) -> Self {
        IrqMutex {
            level,
            inner: spin::Mutex::new(value),
        }
    }

    pub fn lock(&self) -> IrqMutexGuard<'_, T> {
        let irq = IrqGuard::new();
        super::percpu::note_acquire(self.level);
        IrqMutexGuard {
            guard: Some(self.inner.lock()),
            level: self.level,
            _irq: irq,
        }
    }

    /// The value, through exclusive access (no locking: nobody else can hold it).
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

impl<T> Deref for IrqMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.guard.as_deref().unwrap_or_else(|| unreachable!())
    }
}

impl<T> DerefMut for IrqMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard.as_deref_mut().unwrap_or_else(|| unreachable!())
    }
}

impl<T> Drop for IrqMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.guard = None;
        super::percpu::note_release(self.level);
    }
}
