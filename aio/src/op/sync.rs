//! FSYNC and FDSYNC: a flush, run by the engine's job thread so that
//! `io_submit` never waits for one. Windows flushes data and metadata alike,
//! so the two are one operation.

use super::{Operation, SlotRef, Start, Step};
use crate::errno;
use crate::fd::OpenFile;
use crate::sys;
use std::sync::Arc;

pub struct Sync {
    file: Arc<OpenFile>,
}

impl Sync {
    pub fn new(file: Arc<OpenFile>) -> Sync {
        Sync { file }
    }
}

impl Operation for Sync {
    unsafe fn start(&mut self, _slot: &SlotRef) -> Start {
        Start::Blocking
    }

    fn complete(&mut self, _status: i32, _bytes: usize) -> Step {
        // A job's result comes from `run_blocking`, never from a completion.
        Step::Finish(errno::EIO.neg())
    }

    fn run_blocking(&mut self) -> i64 {
        // Linux syncs through a read-only fd too; Windows needs write access
        // to flush, and a handle without it has nothing of its own to flush.
        if !self.file.writable {
            return 0;
        }
        match sys::flush(self.file.raw()) {
            Ok(()) => 0,
            Err(e) => errno::from_win32(e).neg(),
        }
    }
}
