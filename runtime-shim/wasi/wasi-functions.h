/*
** The wasi_snapshot_preview1 functions wprof-wasi defines: the one list from
** which wasi.c generates each wrapper (Z_wasi_snapshot_preview1Z_NAME) and
** wprof_wasi_functions, the table of names and C types an embedder checks a
** module's imports against. A WASI function is added here, with its do_*
** implementation in wasi.c; tests/run/import-types.py checks the list against
** the imports of wasi-libc.
**
** WPROF_WASI_FUNCTIONS(CALL, CALL0, NORETURN, U32, U64), in preview1's order:
**   CALL(name, (U32(p), U64(q), ...), expr)  returns expr, a wasi_errno
**                                            computed inside call_begin/end
**   CALL0(name, expr)                        the same without parameters
**   NORETURN(name, (U32(p)))                 leaves the guest; defined by hand
** U32(p) and U64(p) are a parameter p of type u32 or u64: the generator
** decides whether they spell a declaration or a type. Included by wasi.c
** only: the expressions call its static functions.
*/
#ifndef WPROF_WASI_FUNCTIONS_H
#define WPROF_WASI_FUNCTIONS_H

#define WPROF_WASI_FUNCTIONS(CALL, CALL0, NORETURN, U32, U64)                                          \
  CALL(args_get, (U32(argv), U32(buf)), strings_get(w, w->argv, w->argc, argv, buf))                  \
  CALL(args_sizes_get, (U32(argc), U32(size)), strings_sizes(w, w->argv, w->argc, argc, size))        \
  CALL(environ_get, (U32(environ), U32(buf)), strings_get(w, w->envp, w->envc, environ, buf))         \
  CALL(environ_sizes_get, (U32(count), U32(size)), strings_sizes(w, w->envp, w->envc, count, size))   \
  CALL(clock_res_get, (U32(id), U32(out)), do_clock(w, id, true, out))                                \
  CALL(clock_time_get, (U32(id), U64(precision), U32(out)), ((void)precision, do_clock(w, id, false, out))) \
  CALL(random_get, (U32(buf), U32(len)), do_random(w, buf, len))                                      \
  CALL(fd_read, (U32(fd), U32(iovs), U32(n), U32(nread)), do_io(w, fd, iovs, n, false, 0, nread, IO_READ)) \
  CALL(fd_write, (U32(fd), U32(iovs), U32(n), U32(nwritten)),                                         \
       do_io(w, fd, iovs, n, false, 0, nwritten, IO_WRITE))                                           \
  CALL(fd_pread, (U32(fd), U32(iovs), U32(n), U64(offset), U32(nread)),                               \
       do_io(w, fd, iovs, n, true, offset, nread, IO_READ))                                           \
  CALL(fd_pwrite, (U32(fd), U32(iovs), U32(n), U64(offset), U32(nwritten)),                           \
       do_io(w, fd, iovs, n, true, offset, nwritten, IO_WRITE))                                       \
  CALL(fd_seek, (U32(fd), U64(offset), U32(whence), U32(out)), do_seek(w, fd, (int64_t)offset, whence, out)) \
  CALL(fd_tell, (U32(fd), U32(out)), do_seek(w, fd, 0, 1, out))                                       \
  CALL(fd_close, (U32(fd)), do_close(w, fd))                                                          \
  CALL(fd_sync, (U32(fd)), do_fd_simple(w, fd, RIGHT_FD_SYNC, fsync))                                 \
  CALL(fd_datasync, (U32(fd)), do_fd_simple(w, fd, RIGHT_FD_DATASYNC, fdatasync))                     \
  CALL(fd_fdstat_get, (U32(fd), U32(out)), do_fdstat_get(w, fd, out))                                 \
  CALL(fd_fdstat_set_flags, (U32(fd), U32(flags)), do_fdstat_set_flags(w, fd, flags))                 \
  CALL(fd_fdstat_set_rights, (U32(fd), U64(base), U64(inheriting)), do_fdstat_set_rights(w, fd, base, inheriting)) \
  CALL(fd_filestat_get, (U32(fd), U32(out)), do_filestat_get(w, fd, out))                             \
  CALL(fd_filestat_set_size, (U32(fd), U64(size)), do_filestat_set_size(w, fd, size))                 \
  CALL(fd_filestat_set_times, (U32(fd), U64(atim), U64(mtim), U32(fst)),                              \
       do_filestat_set_times(w, fd, atim, mtim, fst))                                                 \
  CALL(fd_readdir, (U32(fd), U32(buf), U32(len), U64(cookie), U32(out)), do_readdir(w, fd, buf, len, cookie, out)) \
  CALL(fd_advise, (U32(fd), U64(offset), U64(len), U32(advice)), do_advise(w, fd, offset, len, advice)) \
  CALL(fd_allocate, (U32(fd), U64(offset), U64(len)), do_allocate(w, fd, offset, len))                \
  CALL(fd_renumber, (U32(from), U32(to)), do_renumber(w, from, to))                                   \
  CALL(fd_prestat_get, (U32(fd), U32(out)), do_prestat_get(w, fd, out))                               \
  CALL(fd_prestat_dir_name, (U32(fd), U32(buf), U32(len)), do_prestat_dir_name(w, fd, buf, len))      \
  CALL(path_open,                                                                                     \
       (U32(fd), U32(dirflags), U32(path), U32(len), U32(oflags), U64(base), U64(inheriting), U32(fdflags), \
        U32(out)),                                                                                    \
       do_path_open(w, fd, dirflags, path, len, oflags, base, inheriting, fdflags, out))              \
  CALL(path_filestat_get, (U32(fd), U32(flags), U32(path), U32(len), U32(out)),                       \
       do_path_filestat_get(w, fd, flags, path, len, out))                                            \
  CALL(path_filestat_set_times,                                                                       \
       (U32(fd), U32(flags), U32(path), U32(len), U64(atim), U64(mtim), U32(fst)),                    \
       do_path_set_times(w, fd, flags, path, len, atim, mtim, fst))                                   \
  CALL(path_unlink_file, (U32(fd), U32(path), U32(len)), do_path_op(w, fd, path, len, OP_UNLINK))     \
  CALL(path_create_directory, (U32(fd), U32(path), U32(len)), do_path_op(w, fd, path, len, OP_MKDIR)) \
  CALL(path_remove_directory, (U32(fd), U32(path), U32(len)), do_path_op(w, fd, path, len, OP_RMDIR)) \
  CALL(path_rename, (U32(fd), U32(old_path), U32(old_len), U32(new_fd), U32(new_path), U32(new_len)), \
       do_path_pair(w, fd, old_path, old_len, new_fd, new_path, new_len, false, false))               \
  CALL(path_link,                                                                                     \
       (U32(old_fd), U32(old_flags), U32(old_path), U32(old_len), U32(new_fd), U32(new_path), U32(new_len)), \
       do_path_pair(w, old_fd, old_path, old_len, new_fd, new_path, new_len, true,                    \
                    old_flags & LOOKUP_SYMLINK_FOLLOW))                                               \
  CALL(path_readlink, (U32(fd), U32(path), U32(len), U32(buf), U32(buf_len), U32(out)),               \
       do_path_readlink(w, fd, path, len, buf, buf_len, out))                                         \
  CALL(path_symlink, (U32(old_path), U32(old_len), U32(fd), U32(new_path), U32(new_len)),             \
       do_path_symlink(w, old_path, old_len, fd, new_path, new_len))                                  \
  CALL(poll_oneoff, (U32(in), U32(out), U32(nsubs), U32(nevents)), do_poll(w, in, out, nsubs, nevents)) \
  NORETURN(proc_exit, (U32(code)))                                                                    \
  CALL(proc_raise, (U32(sig)), ((void)sig, E_NOSYS))                                                  \
  CALL0(sched_yield, (sched_yield(), E_SUCCESS))                                                      \
  /* no sockets: a guest only gets here with descriptors it cannot have */                           \
  CALL(sock_accept, (U32(fd), U32(flags), U32(out)), ((void)fd, (void)flags, (void)out, E_NOTSUP))    \
  CALL(sock_recv, (U32(fd), U32(iovs), U32(n), U32(flags), U32(nread), U32(oflags)),                  \
       ((void)fd, (void)iovs, (void)n, (void)flags, (void)nread, (void)oflags, E_NOTSUP))             \
  CALL(sock_send, (U32(fd), U32(iovs), U32(n), U32(flags), U32(nwritten)),                            \
       ((void)fd, (void)iovs, (void)n, (void)flags, (void)nwritten, E_NOTSUP))                        \
  CALL(sock_shutdown, (U32(fd), U32(how)), ((void)fd, (void)how, E_NOTSUP))

#endif
