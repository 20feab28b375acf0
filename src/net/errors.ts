import { SocketError } from '../socket/errno.js';

/** An Error shaped like Node's system errors: code, errno (negative), syscall, address, port. */
export interface NodeSystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  address?: string;
  port?: number;
}

/** Node's wording: "connect ECONNREFUSED 10.0.0.2:80", "read ECONNRESET". */
export function nodeError(e: unknown, syscall: string, address?: string, port?: number): Error {
  if (!(e instanceof SocketError)) return e instanceof Error ? e : new Error(String(e));
  const where = address !== undefined ? ` ${address}${port !== undefined ? `:${port}` : ''}` : '';
  const err = new Error(`${syscall} ${e.errno}${where}`) as NodeSystemError;
  err.code = e.errno;
  err.errno = -e.errnoNumber;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined) err.port = port;
  return err;
}

/** Node's ERR_* errors (TypeError/Error with a code). */
export function codedError(
  code: string,
  message: string,
  type: 'Error' | 'TypeError' | 'RangeError' = 'Error',
): Error {
  const Ctor = type === 'TypeError' ? TypeError : type === 'RangeError' ? RangeError : Error;
  const err = new Ctor(message) as Error & { code: string };
  err.code = code;
  return err;
}
