/** Linux's numbers for the socket API (include/uapi/linux/*.h, asm-generic/socket.h). */

export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const IPPROTO_TCP = 6;
export const SOL_SOCKET = 1;

export const SOCKET_OPTIONS = {
  SO_REUSEADDR: 2,
  SO_TYPE: 3,
  SO_ERROR: 4,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  SO_KEEPALIVE: 9,
  SO_LINGER: 13,
  SO_REUSEPORT: 15,
  SO_RCVLOWAT: 18,
  SO_ACCEPTCONN: 30,
} as const;

export const TCP_OPTIONS = {
  TCP_NODELAY: 1,
  TCP_MAXSEG: 2,
  TCP_CORK: 3,
  TCP_KEEPIDLE: 4,
  TCP_KEEPINTVL: 5,
  TCP_KEEPCNT: 6,
  TCP_INFO: 11,
  TCP_QUICKACK: 12,
  TCP_CONGESTION: 13,
  TCP_USER_TIMEOUT: 18,
} as const;

export type SocketOptionName = keyof typeof SOCKET_OPTIONS;
export type TcpOptionName = keyof typeof TCP_OPTIONS;

export const MSG_PEEK = 0x2;
export const MSG_DONTWAIT = 0x40;
export const MSG_EOR = 0x80;
export const MSG_MORE = 0x8000;

export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

export const F_GETFL = 3;
export const F_SETFL = 4;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;

/** ioctl requests: bytes readable (FIONREAD) and bytes not yet acknowledged (TIOCOUTQ). */
export const SIOCINQ = 0x541b;
export const SIOCOUTQ = 0x5411;

export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const POLLRDHUP = 0x2000;

/** net.core.wmem_max / rmem_max defaults: what SO_SNDBUF/SO_RCVBUF may ask for without privilege. */
export const WMEM_MAX = 212992;
export const RMEM_MAX = 212992;
/** SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF on a 64-bit Linux. */
export const SOCK_MIN_SNDBUF = 4608;
export const SOCK_MIN_RCVBUF = 2304;
