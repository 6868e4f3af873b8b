//! Whole-member inflate for zip members whose central directory gives their
//! sizes: the compressed bytes are read into a buffer and inflated at once
//! by libdeflate (faster than any streaming inflate), then handed to the sink
//! through the same [`Guard`](super::limits::Guard) as a stream, so every
//! limit holds as before.
//!
//! Only members that come out exactly as declared (size and CRC-32) take
//! this path. Anything else (bad data, a member larger or smaller than its
//! entry says, a CRC mismatch, a read error) is read again by the streaming
//! reader, which reports it exactly as it always has: findings never depend
//! on the path a member took.
//!
//! Memory: each worker holds an input and an output buffer of at most
//! [`WHOLE_MAX`] bytes each, reused for every member it reads; all workers
//! together hold at most [`WHOLE_POOL`] (a worker that finds the pool spent
//! streams every member). Larger members stream as before.
//!
//! `LOADSMITH_INFLATE=stream` in the environment turns this path off (every
//! member streams through zlib-rs): the equivalence tests compare the two.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

use libdeflater::Decompressor;

/// Largest member (expanded or compressed) inflated whole.
pub const WHOLE_MAX: usize = 4 << 20;
/// All whole-member buffers of the process together.
pub const WHOLE_POOL: usize = 16 << 20;

static RESERVED: AtomicUsize = AtomicUsize::new(0);

/// True when the environment asks for the streaming path only.
pub fn streaming_only() -> bool {
    std::env::var_os("LOADSMITH_INFLATE").is_some_and(|v| v == "stream")
}

/// One worker's whole-member inflater and its reused buffers.
pub struct Whole {
    dec: Option<Decompressor>,
    input: Vec<u8>,
    output: Vec<u8>,
    /// Bytes of the pool this worker holds (its two buffers together).
    grant: usize,
    /// Members inflated whole so far.
    pub inflated: u64,
}

impl Whole {
    /// Takes a share of the pool: two buffers of up to [`WHOLE_MAX`], or
    /// less (down to nothing) when other workers hold the pool.
    pub fn new() -> Whole {
        let mut grant = 0;
        if !streaming_only() {
            let mut cur = RESERVED.load(Ordering::Relaxed);
            loop {
                let want = (2 * WHOLE_MAX).min(WHOLE_POOL.saturating_sub(cur));
                match RESERVED.compare_exchange(
                    cur,
                    cur + want,
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        grant = want;
                        break;
                    }
                    Err(now) => cur = now,
                }
            }
        }
        // Reserved once at their full size and kept: growing them member by
        // member would free chunk after chunk, which glibc answers by keeping
        // ever more freed memory per thread (its dynamic mmap threshold).
        // Pages are touched only as members fill them.
        Whole {
            dec: (grant > 0).then(Decompressor::new),
            input: Vec::with_capacity(grant / 2),
            output: Vec::with_capacity(grant / 2),
            grant,
            inflated: 0,
        }
    }

    /// An inflater that takes nothing whole: every member streams.
    pub fn off() -> Whole {
        Whole {
            dec: None,
            input: Vec::new(),
            output: Vec::new(),
            grant: 0,
            inflated: 0,
        }
    }

    /// True when a member of `size` bytes, `packed` compressed, fits.
    pub fn fits(&self, size: u64, packed: u64) -> bool {
        let half = (self.grant / 2) as u64;
        self.dec.is_some() && size <= half && packed <= half
    }

    /// Reads `packed` compressed bytes from `raw` and inflates them; the
    /// member's bytes when they are exactly `size` bytes with CRC-32 `crc`,
    /// `None` otherwise (the caller streams the member instead).
    pub fn inflate(
        &mut self,
        raw: &mut dyn Read,
        packed: u64,
        size: u64,
        crc: u32,
    ) -> Option<&[u8]> {
        if !self.fits(size, packed) {
            return None;
        }
        self.input.clear();
        raw.take(packed).read_to_end(&mut self.input).ok()?;
        if self.input.len() as u64 != packed {
            return None;
        }
        let size = size as usize;
        if self.output.len() < size {
            self.output.resize(size, 0);
        }
        let out = &mut self.output[..size];
        let n = self
            .dec
            .as_mut()?
            .deflate_decompress(&self.input, out)
            .ok()?;
        let good = n == size && libdeflater::crc32(&out[..n]) == crc;
        self.inflated += u64::from(good);
        good.then_some(&out[..n])
    }
}

impl Default for Whole {
    fn default() -> Whole {
        Whole::new()
    }
}

impl Drop for Whole {
    fn drop(&mut self) {
        RESERVED.fetch_sub(self.grant, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_bounds_what_all_workers_hold() {
        let held: Vec<Whole> = (0..8).map(|_| Whole::new()).collect();
        let total: usize = held.iter().map(|w| w.grant).sum();
        assert!(total <= WHOLE_POOL, "{total}");
        drop(held);
    }
}
