import type { TcpConnection } from '../tcp/connection.js';
import type { TcpErrno, TcpEventType } from '../tcp/env.js';
import { PackedTuple } from '../tcp/packed-tuple.js';

/**
 * Who holds a connection and hears its events, when that is the only holder (the BSD socket
 * layer's descriptor): the TCP layer may then swap the connection for a HibernatedConnection while
 * it is idle, and back before anything touches it (tcp-layer.ts, hibernate/wake).
 */
export interface ConnectionOwner {
  conn: TcpConnection | HibernatedConnection | null;
  connectionEvent(ev: TcpEventType, errno?: TcpErrno): void;
}

/**
 * An idle connection's place in the tables while its state is packed in the host's StateStore:
 * its 4-tuple (it is its own tuple, saving an object per connection), where its record is, and
 * its owner. Both ports share one field (localPort << 16 | remotePort): 64 bytes rather than 72.
 */
export class HibernatedConnection extends PackedTuple {
  constructor(
    localAddr: number,
    localPort: number,
    remoteAddr: number,
    remotePort: number,
    /** The record's StateStore slot (template and offset in one number). */
    readonly slot: number,
    readonly owner: ConnectionOwner,
  ) {
    super(localAddr, localPort, remoteAddr, remotePort);
  }
}
