// How a task's basis cites its meeting: the one wording the co-chairs' report writes and the import reads back.

/**
 * The protocol number without the "No." or "№" it is often recorded with (the API's own example is "No. 19"): the
 * citation writes its own "No.", and "Protocol No. No. 19" is no way to print a protocol.
 */
export function bareProtocolNumber(protocolNumber: string): string {
  return protocolNumber.replace(/^(No\.?|№)\s*/i, '');
}

/** "Protocol No. 19 of 2026-11-04 (title)", or "title, 2026-11-04" for a meeting without a protocol number. */
export function meetingCitation(m: { title: string; date: string; protocolNumber: string | null }): string {
  return m.protocolNumber ? `Protocol No. ${bareProtocolNumber(m.protocolNumber)} of ${m.date} (${m.title})` : `${m.title}, ${m.date}`;
}
