// How a task's basis cites its meeting: the one wording the co-chairs' report writes, in English or Russian, and the
// import reads back.

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

/** "Протокол № 19 от 04.11.2026 (title)", or "title, 04.11.2026": the Russian report's citation. */
export function meetingCitationRu(m: { title: string; date: string; protocolNumber: string | null }): string {
  const date = m.date.split('-').reverse().join('.');
  return m.protocolNumber ? `Протокол № ${bareProtocolNumber(m.protocolNumber)} от ${date} (${m.title})` : `${m.title}, ${date}`;
}

/** What joins a citation to its protocol item: "…, item 3", "…, п. 3". */
export const CITATION_ITEM = { en: ', item ', ru: ', п. ' } as const;
