/**
 * Linux errno names and numbers (asm-generic/errno-base.h, errno.h) for the calls synack's socket
 * layer implements, with the text strerror() gives, so errors read exactly as they do on Linux.
 */
export const ERRNO = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  EINTR: [4, 'Interrupted system call'],
  EBADF: [9, 'Bad file descriptor'],
  EAGAIN: [11, 'Resource temporarily unavailable'],
  ENOMEM: [12, 'Cannot allocate memory'],
  EACCES: [13, 'Permission denied'],
  EFAULT: [14, 'Bad address'],
  EINVAL: [22, 'Invalid argument'],
  EMFILE: [24, 'Too many open files'],
  EPIPE: [32, 'Broken pipe'],
  ENOTSOCK: [88, 'Socket operation on non-socket'],
  EDESTADDRREQ: [89, 'Destination address required'],
  EMSGSIZE: [90, 'Message too long'],
  EPROTOTYPE: [91, 'Protocol wrong type for socket'],
  ENOPROTOOPT: [92, 'Protocol not available'],
  EPROTONOSUPPORT: [93, 'Protocol not supported'],
  EOPNOTSUPP: [95, 'Operation not supported'],
  EAFNOSUPPORT: [97, 'Address family not supported by protocol'],
  EADDRINUSE: [98, 'Address already in use'],
  EADDRNOTAVAIL: [99, 'Cannot assign requested address'],
  ENETDOWN: [100, 'Network is down'],
  ENETUNREACH: [101, 'Network is unreachable'],
  ECONNABORTED: [103, 'Software caused connection abort'],
  ECONNRESET: [104, 'Connection reset by peer'],
  ENOBUFS: [105, 'No buffer space available'],
  EISCONN: [106, 'Transport endpoint is already connected'],
  ENOTCONN: [107, 'Transport endpoint is not connected'],
  ETIMEDOUT: [110, 'Connection timed out'],
  ECONNREFUSED: [111, 'Connection refused'],
  EHOSTUNREACH: [113, 'No route to host'],
  EALREADY: [114, 'Operation already in progress'],
  EINPROGRESS: [115, 'Operation now in progress'],
  EPROTO: [71, 'Protocol error'],
} as const;

export type ErrnoName = keyof typeof ERRNO;

/** The name of a Linux errno number (as SO_ERROR returns it), or null for 0 and unknown numbers. */
export function errnoName(n: number): ErrnoName | null {
  for (const [name, [num]] of Object.entries(ERRNO)) if (num === n) return name as ErrnoName;
  return null;
}

/** A failed socket call: `errno` is the Linux name, `code` the same (as Node's errors carry it). */
export class SocketError extends Error {
  readonly errno: ErrnoName;
  readonly code: ErrnoName;
  readonly errnoNumber: number;
  readonly syscall: string;

  constructor(errno: ErrnoName, syscall: string, detail?: string) {
    const [num, text] = ERRNO[errno];
    super(`${syscall}: ${errno} (${text})${detail ? `: ${detail}` : ''}`);
    this.name = 'SocketError';
    this.errno = errno;
    this.code = errno;
    this.errnoNumber = num;
    this.syscall = syscall;
  }
}

/**
 * "Would block" (EAGAIN, EINPROGRESS): the normal answer of a non-blocking call, thrown as control
 * flow on every turn of an event loop, so it carries no stack trace (capturing one costs more
 * than the call itself).
 */
export function wouldBlock(errno: 'EAGAIN' | 'EINPROGRESS', syscall: string, detail?: string): SocketError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new SocketError(errno, syscall, detail);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function errnoNumber(name: ErrnoName): number {
  return ERRNO[name][0];
}

export function strerror(name: ErrnoName): string {
  return ERRNO[name][1];
}
