/**
 * TCP counters with Linux's MIB names, as /proc/net/snmp (Tcp) and /proc/net/netstat (TcpExt)
 * print them, so `netstat -s`/`nstat` habits carry over. Plain numeric fields: incrementing one is
 * a single property write on the hot path.
 */

/** RFC 4022 / /proc/net/snmp "Tcp:" counters. CurrEstab is a gauge. */
export class TcpSnmp {
  ActiveOpens = 0;
  PassiveOpens = 0;
  AttemptFails = 0;
  EstabResets = 0;
  CurrEstab = 0;
  InSegs = 0;
  OutSegs = 0;
  RetransSegs = 0;
  InErrs = 0;
  OutRsts = 0;
  InCsumErrors = 0;
}

/** Linux's LINUX_MIB_* counters that TCP maintains ("TcpExt:" in /proc/net/netstat). */
export class TcpExt {
  SyncookiesSent = 0;
  SyncookiesRecv = 0;
  SyncookiesFailed = 0;
  EmbryonicRsts = 0;
  PruneCalled = 0;
  RcvPruned = 0;
  OfoPruned = 0;
  OutOfWindowIcmps = 0;
  TW = 0;
  TWRecycled = 0;
  TWKilled = 0;
  PAWSActive = 0;
  PAWSEstab = 0;
  DelayedACKs = 0;
  DelayedACKLocked = 0;
  DelayedACKLost = 0;
  ListenOverflows = 0;
  ListenDrops = 0;
  TCPHPHits = 0;
  TCPPureAcks = 0;
  TCPHPAcks = 0;
  TCPRenoRecovery = 0;
  TCPSackRecovery = 0;
  TCPSACKReneging = 0;
  TCPSACKReorder = 0;
  TCPRenoReorder = 0;
  TCPTSReorder = 0;
  TCPFullUndo = 0;
  TCPPartialUndo = 0;
  TCPDSACKUndo = 0;
  TCPLossUndo = 0;
  TCPLostRetransmit = 0;
  TCPRenoFailures = 0;
  TCPSackFailures = 0;
  TCPLossFailures = 0;
  TCPFastRetrans = 0;
  TCPSlowStartRetrans = 0;
  TCPTimeouts = 0;
  TCPLossProbes = 0;
  TCPLossProbeRecovery = 0;
  TCPRenoRecoveryFail = 0;
  TCPSackRecoveryFail = 0;
  TCPRcvCollapsed = 0;
  TCPDSACKOldSent = 0;
  TCPDSACKOfoSent = 0;
  TCPDSACKRecv = 0;
  TCPDSACKOfoRecv = 0;
  TCPAbortOnData = 0;
  TCPAbortOnClose = 0;
  TCPAbortOnMemory = 0;
  TCPAbortOnTimeout = 0;
  TCPAbortOnLinger = 0;
  TCPAbortFailed = 0;
  TCPMemoryPressures = 0;
  TCPSACKDiscard = 0;
  TCPDSACKIgnoredOld = 0;
  TCPDSACKIgnoredNoUndo = 0;
  TCPSpuriousRTOs = 0;
  TCPSackShifted = 0;
  TCPSackMerged = 0;
  TCPSackShiftFallback = 0;
  TCPBacklogDrop = 0;
  TCPMinTTLDrop = 0;
  TCPDeferAcceptDrop = 0;
  TCPTimeWaitOverflow = 0;
  TCPReqQFullDoCookies = 0;
  TCPReqQFullDrop = 0;
  TCPRetransFail = 0;
  TCPRcvCoalesce = 0;
  TCPOFOQueue = 0;
  TCPOFODrop = 0;
  TCPOFOMerge = 0;
  TCPChallengeACK = 0;
  TCPSYNChallenge = 0;
  TCPSpuriousRtxHostQueues = 0;
  TCPAutoCorking = 0;
  TCPFromZeroWindowAdv = 0;
  TCPToZeroWindowAdv = 0;
  TCPWantZeroWindowAdv = 0;
  TCPSynRetrans = 0;
  TCPOrigDataSent = 0;
  TCPHystartTrainDetect = 0;
  TCPHystartTrainCwnd = 0;
  TCPHystartDelayDetect = 0;
  TCPHystartDelayCwnd = 0;
  TCPACKSkippedSynRecv = 0;
  TCPACKSkippedPAWS = 0;
  TCPACKSkippedSeq = 0;
  TCPACKSkippedFinWait2 = 0;
  TCPACKSkippedTimeWait = 0;
  TCPACKSkippedChallenge = 0;
  TCPWinProbe = 0;
  TCPKeepAlive = 0;
  TCPMTUPFail = 0;
  TCPMTUPSuccess = 0;
  TCPDelivered = 0;
  TCPDeliveredCE = 0;
  TCPAckCompressed = 0;
  TCPZeroWindowDrop = 0;
  TCPRcvQDrop = 0;
  TCPWqueueTooBig = 0;
  TCPDSACKRecvSegs = 0;
  TCPDSACKIgnoredDubious = 0;
  TCPMigrateReqSuccess = 0;
  TCPMigrateReqFailure = 0;
  TCPPLBRehash = 0;
}

export type TcpSnmpName = keyof TcpSnmp;
export type TcpExtName = keyof TcpExt;

/** The counters a TCP engine updates; a host owns one and shares it with all its connections. */
export class TcpMib {
  readonly Tcp = new TcpSnmp();
  readonly TcpExt = new TcpExt();
}
