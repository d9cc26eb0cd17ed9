//! Work spread over the machine's cores with the standard library's scoped threads: the results come
//! back in the order of the items, so output never depends on scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Stack of a worker thread: as large as the main thread's, for the same input limits.
const STACK_BYTES: usize = 8 << 20;

/// `f` over every item, on up to one thread per core; results in item order. One item (the
/// common case of one file) runs on the calling thread.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.into_iter().map(f).collect();
    }
    let threads = cores().min(items.len());
    if threads <= 1 {
        return items.into_iter().map(f).collect();
    }
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let results: Vec<Mutex<Option<R>>> = slots.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(slot) = slots.get(i) else { break };
        let item = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(item) = item {
            let result = f(item);
            *results[i].lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let spawned = std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, work);
            if spawned.is_err() {
                // No thread to be had: this one does the work.
                work();
            }
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .expect("every item was done: a worker that panicked took the run down with it")
        })
        .collect()
}

/// The cores this process may use, asked once: the answer reads the cgroup's files, and small
/// maps are made on every deployment of a tree.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` over the ranges of `per_part` indices that cover `0..len` (the last may be shorter), as
/// [`map`] runs items: a large collection's parts on every core, one part on the calling thread.
pub fn map_parts<R: Send>(
    len: usize,
    per_part: usize,
    f: impl Fn(std::ops::Range<usize>) -> R + Sync,
) -> Vec<R> {
    let parts = (0..len)
        .step_by(per_part.max(1))
        .map(|start| start..(start + per_part).min(len))
        .collect();
    map(parts, f)
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<usize> = (0..1000).collect();
        let squares = super::map(items, |i| {
            // Uneven work, so that threads finish out of order.
            if i % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(50));
            }
            i * i
        });
        assert_eq!(squares, (0..1000).map(|i| i * i).collect::<Vec<_>>());
        assert_eq!(super::map(Vec::<u8>::new(), |x| x), Vec::<u8>::new());
        assert_eq!(super::map(vec![3], |x| x + 1), vec![4]);
    }

    #[test]
    fn parts_cover_every_index_once_in_order() {
        let parts = super::map_parts(10, 4, |r| r);
        assert_eq!(parts, [0..4, 4..8, 8..10]);
        assert_eq!(
            super::map_parts(0, 4, |r| r),
            Vec::<std::ops::Range<usize>>::new()
        );
    }
}
