import type { TcpConnection } from './connection.js';
import {
  onPersistTimeout,
  onReorderTimeout,
  onRetransmitTimeout,
  sendKeepaliveProbe,
  sendLossProbe,
} from './output.js';
import { retransmitTimeoutUs } from './rtt.js';
import { seqSub } from './seq.js';

/** Linux's TCP_DELACK_MIN / TCP_ATO_MIN: 40 ms. */
export const DELACK_US = 40_000;

/**
 * The connection's timers (RFC 9293 §3.8, RFC 6298, RFC 1122 4.2.3.6, 4.2.2.17): retransmission
 * (also SYN and persist, which never run together), delayed ACK, keepalive, TIME-WAIT and the
 * FIN-WAIT-2 timeout. The engine owns no real timer: it keeps deadlines and reports the earliest
 * to the host, which calls fire() when it comes.
 */
export class TcpTimers {
  rto = Infinity;
  /**
   * Which kind the retransmission timer is running as: Linux shares one slot between the RTO,
   * the zero-window probe, RACK's reordering timer and the tail loss probe.
   */
  rtoKind: 'retransmit' | 'persist' | 'reorder' | 'probe' = 'retransmit';
  delack = Infinity;
  keepalive = Infinity;
  /** TIME-WAIT expiry or the FIN-WAIT-2 timeout. */
  close = Infinity;
  next = Infinity;

  constructor(private readonly c: TcpConnection) {}

  private update(): void {
    const n = Math.min(this.rto, this.delack, this.keepalive, this.close);
    if (n !== this.next) {
      this.next = n;
      this.c.env.deadlineChanged(this.c);
    }
  }

  armRetransmit(now: number, rtoUs = this.c.rtt.rtoUs): void {
    this.rtoKind = 'retransmit';
    this.rto = Math.ceil(now + rtoUs);
    // Linux's tcp_clamp_rto_to_user_timeout: never wait past TCP_USER_TIMEOUT.
    const ut = this.c.opts.userTimeoutMs * 1000;
    if (ut > 0 && this.c.retransStart >= 0)
      this.rto = Math.max(now + 1, Math.min(this.rto, Math.ceil(this.c.retransStart + ut)));
    this.update();
  }

  armReorder(at: number): void {
    this.rtoKind = 'reorder';
    this.rto = Math.ceil(at); // whole microseconds: the host's clock has no finer tick
    this.update();
  }

  armProbe(at: number): void {
    this.rtoKind = 'probe';
    this.rto = Math.ceil(at);
    this.update();
  }

  armPersist(now: number): void {
    this.rtoKind = 'persist';
    this.rto = now + Math.max(this.c.rtt.rtoUs, this.c.env.settings.tcp_rto_min_ms * 1000);
    this.update();
  }

  cancelRetransmit(): void {
    this.rto = Infinity;
    this.update();
  }

  armDelack(now: number): void {
    if (this.delack === Infinity) {
      this.delack = now + DELACK_US;
      this.update();
    }
  }

  cancelDelack(): void {
    if (this.delack !== Infinity) {
      this.delack = Infinity;
      this.update();
    }
  }

  armClose(at: number): void {
    this.close = at;
    this.update();
  }

  clearAll(_now: number): void {
    this.rto = this.delack = this.keepalive = this.close = Infinity;
    this.update();
  }

  /** Recompute the keepalive and FIN-WAIT-2 deadlines after something changed. */
  rearm(now: number): void {
    const c = this.c;
    const s = c.env.settings;
    if (c.opts.keepalive && (c.state === 'ESTABLISHED' || c.state === 'CLOSE-WAIT')) {
      const idle = (c.opts.keepIdle || s.tcp_keepalive_time) * 1e6;
      const intvl = (c.opts.keepIntvl || s.tcp_keepalive_intvl) * 1e6;
      const last = Math.max(c.lastRecvTime, 0);
      this.keepalive = c.keepaliveProbes === 0 ? last + idle : now + intvl;
    } else {
      this.keepalive = Infinity;
    }
    if (c.state === 'FIN-WAIT-2' && c.orphan && this.close === Infinity) {
      this.close = now + s.tcp_fin_timeout * 1e6;
    }
    this.update();
  }

  fire(now: number): void {
    const c = this.c;
    if (this.close <= now) {
      this.close = Infinity;
      if (c.state === 'TIME-WAIT') {
        c.env.mib.TcpExt.TW++;
        c.terminate(now, null);
        return;
      }
      if (c.state === 'FIN-WAIT-2') {
        // Linux's tcp_fin_timeout for orphans: give up waiting for the peer's FIN.
        c.terminate(now, null);
        return;
      }
    }
    if (this.delack <= now) {
      this.delack = Infinity;
      c.env.mib.TcpExt.DelayedACKs++;
      c.sendAck(now);
    }
    if (this.rto <= now) {
      this.rto = Infinity;
      if (this.rtoKind === 'persist') onPersistTimeout(c, now);
      else if (this.rtoKind === 'reorder') onReorderTimeout(c, now);
      else if (this.rtoKind === 'probe') sendLossProbe(c, now);
      else onRetransmitTimeout(c, now);
      if (c.state === 'CLOSED') return;
    }
    if (this.keepalive <= now) {
      this.keepalive = Infinity;
      this.keepaliveDue(now);
      if (c.state === 'CLOSED') return;
    }
    this.update();
  }

  /** RFC 1122 4.2.3.6 / Linux tcp_keepalive_timer: probe an idle peer, give up after enough silence. */
  private keepaliveDue(now: number): void {
    const c = this.c;
    const s = c.env.settings;
    if (!c.opts.keepalive || (c.state !== 'ESTABLISHED' && c.state !== 'CLOSE-WAIT')) return;
    const idle = (c.opts.keepIdle || s.tcp_keepalive_time) * 1e6;
    const intvl = (c.opts.keepIntvl || s.tcp_keepalive_intvl) * 1e6;
    const cnt = c.opts.keepCnt || s.tcp_keepalive_probes;
    if (seqSub(c.sndNxt, c.sndUna) > 0 || c.sendBuf.length > 0) {
      // Data in flight: the retransmission timer watches the peer instead.
      this.keepalive = now + idle;
      return;
    }
    if (now - c.lastRecvTime < idle && c.keepaliveProbes === 0) {
      this.keepalive = c.lastRecvTime + idle;
      return;
    }
    // Giving up sends no probe but a RST (tcp_send_active_reset), then tcp_write_err counts
    // TCPAbortOnTimeout: the peer, if it comes back, learns the connection is gone.
    const ut = c.opts.userTimeoutMs * 1000;
    if (
      (ut === 0 && c.keepaliveProbes >= cnt) ||
      (ut > 0 && c.keepaliveProbes > 0 && now - c.lastRecvTime >= ut)
    ) {
      c.env.mib.TcpExt.TCPAbortOnTimeout++;
      c.sendReset(now);
      c.terminate(now, 'ETIMEDOUT');
      return;
    }
    c.keepaliveProbes++;
    c.env.mib.TcpExt.TCPKeepAlive++;
    sendKeepaliveProbe(c, now);
    this.keepalive = now + intvl;
  }

  /** Whether retransmissions have gone on long enough to give up (Linux's retransmits_timed_out). */
  timedOut(now: number, synState: boolean): boolean {
    const c = this.c;
    const s = c.env.settings;
    if (c.retransStart < 0) return false;
    const ut = c.opts.userTimeoutMs * 1000;
    if (ut > 0 && !synState) return now - c.retransStart >= ut;
    if (synState) return c.retransmits >= (c.state === 'SYN-SENT' ? s.tcp_syn_retries : s.tcp_synack_retries);
    const retries = c.orphan ? s.tcp_orphan_retries || 8 : s.tcp_retries2;
    const limit = retransmitTimeoutUs(retries, s.tcp_rto_min_ms * 1000, s.tcp_rto_max_ms * 1000);
    return now - c.retransStart >= limit;
  }
}
