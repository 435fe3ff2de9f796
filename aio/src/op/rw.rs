//! Reads and writes: PREAD, PWRITE, PREADV, PWRITEV.
//!
//! A transfer is a list of segments (one for PREAD/PWRITE, the iovecs for
//! PREADV/PWRITEV) moved in order at increasing offsets. As on Linux, a short
//! segment ends the transfer, and an error after some bytes moved reports
//! the bytes. Inline transfers run inside `io_submit` (`run_inline`);
//! overlapped ones are driven piece by piece by the engine through
//! `Operation`, with the same `step` rule.

use super::{Operation, SlotRef, Start, Step};
use crate::abi::IoVec;
use crate::errno::{self, status, Errno};
use crate::fd::OpenFile;
use crate::sys;
use std::sync::Arc;

/// The offset that makes a write go to the end of the file
/// (FILE_WRITE_TO_END_OF_FILE in both halves).
pub const APPEND_OFFSET: i64 = -1;

/// Segments kept inside a request slot; vectored requests with more spill
/// to the heap (the only allocation on the I/O path, and only for those).
const INLINE_SEGMENTS: usize = 8;

pub struct Segments {
    inline: [IoVec; INLINE_SEGMENTS],
    spill: Vec<IoVec>,
    count: usize,
    total: u64,
}

impl Segments {
    pub fn single(buf: u64, len: u64) -> Segments {
        Segments::vector(&[IoVec { base: buf, len }], u64::MAX)
    }

    /// Copies the non-empty segments (Linux's iov_iter skips empty ones),
    /// truncating the list where the total reaches `cap`.
    pub fn vector(vecs: &[IoVec], cap: u64) -> Segments {
        let mut segments = Segments {
            inline: [IoVec { base: 0, len: 0 }; INLINE_SEGMENTS],
            spill: Vec::new(),
            count: 0,
            total: 0,
        };
        for &v in vecs {
            segments.push(v, cap);
        }
        segments
    }

    /// Appends one segment (nothing if empty, or if the total reached `cap`).
    pub fn push(&mut self, v: IoVec, cap: u64) {
        let len = v.len.min(cap - self.total);
        if len == 0 {
            return;
        }
        let seg = IoVec { base: v.base, len };
        if self.count < INLINE_SEGMENTS {
            self.inline[self.count] = seg;
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.inline);
            }
            self.spill.push(seg);
        }
        self.count += 1;
        self.total += len;
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether `offset` and every segment's address and length are
    /// multiples of `unit` (a power of two).
    pub fn aligned(&self, offset: u64, unit: u64) -> bool {
        let mask = unit - 1;
        offset & mask == 0
            && (0..self.count)
                .filter_map(|i| self.get(i))
                .all(|s| (s.base | s.len) & mask == 0)
    }

    pub fn get(&self, index: usize) -> Option<IoVec> {
        if index >= self.count {
            None
        } else if self.spill.is_empty() {
            Some(self.inline[index])
        } else {
            Some(self.spill[index])
        }
    }
}

/// A read or write.
pub struct Transfer {
    pub write: bool,
    pub segments: Segments,
    /// The file offset of the first byte, `APPEND_OFFSET` for appending
    /// writes, `None` for streams (pipes, devices).
    pub offset: Option<i64>,
    /// RWF_DSYNC/RWF_SYNC: the data is flushed before the event.
    pub durable: bool,
}

/// The most one NT call moves: one transfer takes at most 4 GiB - 1 bytes,
/// so larger segments go in pieces of 1 GiB (a multiple of every sector size,
/// so direct I/O stays aligned).
pub const PIECE: u64 = 1 << 30;

/// Where a transfer stands: the segment being moved, how far into it, and
/// the bytes moved in all.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Progress {
    pub segment: usize,
    pub within: u64,
    pub moved: u64,
}

/// What to do after one piece's transfer completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advance {
    /// The segment was moved whole and another follows.
    Continue(Progress),
    /// The request is over, with this result for its event.
    Finish(i64),
}

/// Most pages one scatter/gather request carries.
pub const GATHER_PAGES: usize = 16;

impl Transfer {
    /// The page addresses (zero-terminated) for one ReadFileScatter or
    /// WriteFileGather, when every segment is exactly one aligned page: the
    /// one shape those calls take.
    pub fn gather_pages(&self) -> Option<[u64; GATHER_PAGES + 1]> {
        let n = self.segments.len();
        if !(2..=GATHER_PAGES).contains(&n) || self.offset.is_none_or(|o| o < 0) {
            return None;
        }
        let mut pages = [0u64; GATHER_PAGES + 1];
        for (i, page) in pages.iter_mut().enumerate().take(n) {
            let seg = self.segments.get(i)?;
            if seg.len != sys::PAGE || seg.base % sys::PAGE != 0 {
                return None;
            }
            *page = seg.base;
        }
        Some(pages)
    }

    /// The piece to move next (at most `PIECE` bytes of the current
    /// segment), with its file offset.
    pub fn segment(&self, at: Progress) -> Option<(IoVec, Option<i64>)> {
        let seg = self.segments.get(at.segment)?;
        let piece = IoVec {
            base: seg.base + at.within,
            len: (seg.len - at.within).min(PIECE),
        };
        let offset = self.offset.map(|o| {
            if o == APPEND_OFFSET {
                o
            } else {
                o + at.moved as i64
            }
        });
        Some((piece, offset))
    }

    /// The rule shared by both paths: a short or failed piece ends the
    /// request; an error after some bytes moved reports the bytes.
    pub fn step(&self, at: Progress, status: i32, bytes: usize) -> Advance {
        let Some((piece, _)) = self.segment(at) else {
            return Advance::Finish(at.moved as i64);
        };
        match outcome(self.write, status, bytes) {
            Ok(n) => {
                let moved = at.moved + n;
                let within = at.within + n;
                let seg_len = self.segments.get(at.segment).map_or(0, |s| s.len);
                let next = if within < seg_len {
                    Progress {
                        segment: at.segment,
                        within,
                        moved,
                    }
                } else {
                    Progress {
                        segment: at.segment + 1,
                        within: 0,
                        moved,
                    }
                };
                if n < piece.len || self.segments.get(next.segment).is_none() {
                    Advance::Finish(moved as i64)
                } else {
                    Advance::Continue(next)
                }
            }
            Err(_) if at.moved > 0 => Advance::Finish(at.moved as i64),
            Err(e) => Advance::Finish(e.neg()),
        }
    }

    /// `step` for a piece; for a scatter/gather request (`whole`), the one
    /// result of the whole transfer.
    pub fn step_whole_or_piece(
        &self,
        at: Progress,
        whole: bool,
        status: i32,
        bytes: usize,
    ) -> Advance {
        if !whole {
            return self.step(at, status, bytes);
        }
        match outcome(self.write, status, bytes) {
            Ok(n) => Advance::Finish(n as i64),
            Err(e) => Advance::Finish(e.neg()),
        }
    }
}

/// Bytes moved, or the errno, for one completed NT request.
pub fn outcome(write: bool, code: i32, bytes: usize) -> Result<u64, Errno> {
    if !status::is_error(code) {
        return Ok(bytes as u64);
    }
    match code {
        // End of file, and a pipe whose other end has gone: a 0-byte read.
        status::END_OF_FILE => Ok(0),
        status::PIPE_BROKEN | status::PIPE_DISCONNECTED if !write => Ok(0),
        _ => Err(errno::from_ntstatus(code)),
    }
}

/// A transfer done inside `io_submit`, as Linux does buffered file I/O.
pub fn run_inline(file: &OpenFile, t: &Transfer) -> i64 {
    let mut at = Progress::default();
    while let Some((seg, offset)) = t.segment(at) {
        let done = sys::transfer(file.raw(), t.write, seg.base, seg.len as u32, offset);
        match t.step(at, done.status, done.bytes) {
            Advance::Continue(next) => at = next,
            Advance::Finish(res) => return finish(file, t, res),
        }
    }
    finish(file, t, at.moved as i64)
}

/// The event's result once a transfer is over: Linux's end-of-file rule
/// for a read whose buffer faulted, and RWF_DSYNC/RWF_SYNC's flush before
/// the event reports a write.
pub fn finish(file: &OpenFile, t: &Transfer, res: i64) -> i64 {
    // A read at or past end of file copies nothing on Linux, so its buffer
    // is never looked at: 0, where Windows checks the buffer first.
    if !t.write && res == errno::EFAULT.neg() && starts_at_end(file, t) {
        return 0;
    }
    if t.durable && res > 0 {
        if let Err(e) = sys::flush(file.raw()) {
            return errno::from_win32(e).neg();
        }
    }
    res
}

/// Whether a positional transfer starts at or past the end of its file.
fn starts_at_end(file: &OpenFile, t: &Transfer) -> bool {
    match t.offset {
        Some(offset) if offset >= 0 => {
            sys::file_size(file.raw()).is_some_and(|size| offset >= size)
        }
        _ => false,
    }
}

/// A read or write request, as the engine carries it out.
pub struct ReadWrite {
    file: Arc<OpenFile>,
    transfer: Transfer,
    at: Progress,
    /// The page list of a scatter/gather request, kept here until it
    /// completes.
    pages: Option<[u64; GATHER_PAGES + 1]>,
}

impl ReadWrite {
    pub fn new(file: Arc<OpenFile>, transfer: Transfer) -> ReadWrite {
        // Scatter/gather needs an unbuffered handle: O_DIRECT files only.
        let pages = if file.direct_alignment.is_some() {
            transfer.gather_pages()
        } else {
            None
        };
        ReadWrite {
            file,
            transfer,
            at: Progress::default(),
            pages,
        }
    }
}

impl Operation for ReadWrite {
    unsafe fn start(&mut self, slot: &SlotRef) -> Start {
        let overlapped = slot.overlapped;
        let t = &self.transfer;
        // SAFETY: the caller keeps the OVERLAPPED, and this request with its
        // page list, in place until the call's completion is dequeued.
        let status = unsafe {
            match &self.pages {
                // Every segment one page: the whole request in one call.
                Some(pages) => sys::start_pages(
                    self.file.raw(),
                    t.write,
                    pages.as_ptr(),
                    t.segments.total() as u32,
                    t.offset.unwrap_or(0),
                    overlapped,
                ),
                None => match t.segment(self.at) {
                    Some((seg, offset)) => sys::start_transfer(
                        self.file.raw(),
                        t.write,
                        seg.base,
                        seg.len as u32,
                        offset.unwrap_or(0),
                        overlapped,
                    ),
                    // Nothing left (cannot happen: a finished transfer is
                    // not started again): an immediate end.
                    None => return Start::Done(self.at.moved as i64),
                },
            }
        };
        Start::Issued {
            handle: self.file.raw(),
            status,
        }
    }

    fn complete(&mut self, status: i32, bytes: usize) -> Step {
        let t = &self.transfer;
        match t.step_whole_or_piece(self.at, self.pages.is_some(), status, bytes) {
            Advance::Continue(next) => {
                self.at = next;
                Step::Continue
            }
            Advance::Finish(res) => Step::Finish(finish(&self.file, t, res)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer(lens: &[u64]) -> Transfer {
        let vecs: Vec<IoVec> = lens
            .iter()
            .enumerate()
            .map(|(i, &len)| IoVec {
                base: 0x1000 * (i as u64 + 1),
                len,
            })
            .collect();
        Transfer {
            write: false,
            segments: Segments::vector(&vecs, u64::MAX),
            offset: Some(100),
            durable: false,
        }
    }

    #[test]
    fn empty_segments_are_skipped_and_cap_truncates() {
        let s = Segments::vector(
            &[
                IoVec { base: 1, len: 0 },
                IoVec { base: 2, len: 10 },
                IoVec { base: 3, len: 10 },
            ],
            15,
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s.total(), 15);
        assert_eq!(s.get(0).unwrap().base, 2);
        assert_eq!(s.get(1).unwrap().len, 5);
    }

    #[test]
    fn many_segments_spill_in_order() {
        let lens: Vec<u64> = (1..=20).collect();
        let t = transfer(&lens);
        assert_eq!(t.segments.len(), 20);
        assert_eq!(t.segments.get(19).unwrap().len, 20);
        assert_eq!(t.segments.get(7).unwrap().len, 8);
    }

    #[test]
    fn large_segments_move_in_pieces() {
        let t = Transfer {
            write: true,
            segments: Segments::vector(
                &[IoVec {
                    base: 0x10000,
                    len: 3 * PIECE + 5,
                }],
                u64::MAX,
            ),
            offset: Some(1 << 33),
            durable: false,
        };
        let mut at = Progress::default();
        let mut pieces = Vec::new();
        while let Some((piece, offset)) = t.segment(at) {
            pieces.push((piece.base - 0x10000, piece.len, offset.unwrap() - (1 << 33)));
            match t.step(at, status::SUCCESS, piece.len as usize) {
                Advance::Continue(next) => at = next,
                Advance::Finish(res) => {
                    assert_eq!(res as u64, 3 * PIECE + 5);
                    break;
                }
            }
        }
        let p = PIECE as i64;
        assert_eq!(
            pieces,
            vec![
                (0, PIECE, 0),
                (PIECE, PIECE, p),
                (2 * PIECE, PIECE, 2 * p),
                (3 * PIECE, 5, 3 * p)
            ]
        );
        // A short piece ends the transfer.
        assert_eq!(
            t.step(
                Progress {
                    segment: 0,
                    within: PIECE,
                    moved: PIECE
                },
                status::SUCCESS,
                10
            ),
            Advance::Finish(PIECE as i64 + 10)
        );
    }

    #[test]
    fn offsets_advance_by_bytes_moved() {
        let t = transfer(&[10, 20]);
        let next = match t.step(Progress::default(), status::SUCCESS, 10) {
            Advance::Continue(p) => p,
            other => panic!("{other:?}"),
        };
        assert_eq!(t.segment(next).unwrap().1, Some(110));
    }

    #[test]
    fn end_of_file_and_errors() {
        let t = transfer(&[10, 20]);
        assert_eq!(
            t.step(Progress::default(), status::END_OF_FILE, 0),
            Advance::Finish(0)
        );
        assert_eq!(
            t.step(Progress::default(), status::ACCESS_VIOLATION, 0),
            Advance::Finish(-14)
        );
        let after_one = Progress {
            segment: 1,
            within: 0,
            moved: 10,
        };
        assert_eq!(
            t.step(after_one, status::ACCESS_VIOLATION, 0),
            Advance::Finish(10)
        );
        assert_eq!(t.step(after_one, status::SUCCESS, 20), Advance::Finish(30));
    }

    /// Whatever each segment's transfer returns, the result is the bytes
    /// moved up to and including the first short segment, or the first error
    /// when nothing moved: Linux's rule.
    #[test]
    fn step_matches_linux_short_transfer_rule() {
        crate::check::cases(500, |rng| {
            let lens: Vec<u64> = (0..rng.below(1..12)).map(|_| rng.below(1..100)).collect();
            let t = transfer(&lens);
            let mut at = Progress::default();
            let mut expected_moved = 0u64;
            for (i, &len) in lens.iter().enumerate() {
                let got = rng.below(0..120).min(len);
                let fail = rng.below(0..4) == 0;
                let (code, bytes) = if fail {
                    (status::DISK_FULL, 0)
                } else {
                    (status::SUCCESS, got as usize)
                };
                let expected = if fail {
                    Some(if expected_moved > 0 {
                        expected_moved as i64
                    } else {
                        -28
                    })
                } else {
                    expected_moved += got;
                    (got < len || i + 1 == lens.len()).then_some(expected_moved as i64)
                };
                match (t.step(at, code, bytes), expected) {
                    (Advance::Finish(res), Some(want)) => {
                        assert_eq!(res, want);
                        return;
                    }
                    (Advance::Continue(next), None) => {
                        assert_eq!(next.moved, expected_moved);
                        at = next;
                    }
                    (s, e) => panic!("step {s:?} expected {e:?}"),
                }
            }
            panic!("never finished");
        });
    }
}
