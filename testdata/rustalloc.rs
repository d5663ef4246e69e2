// rustalloc: Rust allocations with known counts through the __rust_alloc /
// __rust_alloc_zeroed / __rust_realloc / __rust_dealloc ABI, from Debian's
// rustc 1.63 and libstd-rust-dev-wasm32 (see CMakeLists.txt).
//
// Built at opt-level=2 so std's #[inline] allocation wrappers (Box::new,
// Vec::with_capacity, std::alloc::*) are inlined: each #[no_mangle] function
// below calls the __rust_* functions itself (checked with wasm2wat), which
// makes it the frame its allocations are credited to; #[inline(never)] keeps
// it a function of its own. Every pointer is folded into a global so LLVM
// cannot remove an allocation. #![no_main] with __original_main (the symbol
// wasi-libc's _start calls) skips std's runtime set-up, which would allocate
// the main thread's handle; output goes straight to fd 1 (no stdout buffer).
#![no_main]
use std::alloc::{alloc, alloc_zeroed, dealloc, realloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

static SINK: AtomicUsize = AtomicUsize::new(0);

/// Makes the pointer escape into a global.
fn keep<T: ?Sized>(p: *const T) {
    SINK.fetch_add(p as *const u8 as usize, Ordering::Relaxed);
}

#[no_mangle]
#[inline(never)]
pub fn make_boxes() -> [Box<u64>; 3] {
    let boxes = [Box::new(1u64), Box::new(2u64), Box::new(3u64)];
    for b in boxes.iter() { keep(&**b); }
    boxes
}

#[no_mangle]
#[inline(never)]
pub fn raw_buffer() {
    unsafe {
        let small = Layout::from_size_align_unchecked(16, 4);
        let p = alloc(small);
        keep(p);
        let p = realloc(p, small, 32);
        keep(p);
        let p = realloc(p, Layout::from_size_align_unchecked(32, 4), 64);
        keep(p);
        dealloc(p, Layout::from_size_align_unchecked(64, 4));
    }
}

#[no_mangle]
#[inline(never)]
pub fn leak_zeroed() {
    unsafe { keep(alloc_zeroed(Layout::from_size_align_unchecked(128, 8))); }
}

#[no_mangle]
#[inline(never)]
pub fn make_vec() -> Vec<u32> {
    let v: Vec<u32> = Vec::with_capacity(10);
    keep(v.as_ptr());
    v
}

#[no_mangle]
pub extern "C" fn __original_main() -> i32 {
    let v = make_vec();
    keep(v.as_ptr());
    drop(v);
    let boxes = make_boxes();
    raw_buffer();
    leak_zeroed();
    let sum: u64 = boxes.iter().map(|b| **b).sum();
    drop(boxes);
    use std::io::Write;
    use std::os::wasi::io::FromRawFd;
    let mut stdout = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) });
    let message: &[u8] = if sum == 6 { b"sum 6\n" } else { b"wrong sum\n" };
    if stdout.write_all(message).is_err() { return 1; }
    0
}
