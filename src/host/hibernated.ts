import type { TcpConnection } from '../tcp/connection.js';
import type { FourTuple, TcpErrno, TcpEventType } from '../tcp/env.js';

/**
 * Who holds a connection and hears its events, when that is the only holder (the BSD socket
 * layer's descriptor): the TCP layer may then swap the connection for a HibernatedConnection while
 * it is idle, and back before anything touches it (tcp-layer.ts, hibernate/wake).
 */
export interface ConnectionOwner {
  conn: TcpConnection | HibernatedConnection | null;
  connectionEvent(ev: TcpEventType, errno?: TcpErrno): void;
}

/** An idle connection's place in the tables while its state is packed in the host's StateStore. */
export class HibernatedConnection {
  constructor(
    readonly tuple: FourTuple,
    readonly tmpl: number,
    readonly at: number,
    readonly owner: ConnectionOwner,
  ) {}
}
