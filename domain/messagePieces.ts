// What a rendered message is made of, in playing order: the contract between the template
// renderer (messageTemplate.ts, pure) and the prepare step (activities/prepare.ts), which turns
// each piece into audio through the speech cache. Pure: no I/O.

export type SpokenPiece =
  /** Text of the template itself: the same for every contact of a version, synthesised once (warmed). */
  | { kind: 'static'; text: string }
  /** Text made from a contact's variables (a name, an amount in words): synthesised per distinct text. */
  | { kind: 'personal'; text: string }
  /** A recorded fragment ({{audio:NAME}}), by the content key the version pinned. */
  | { kind: 'clip'; name: string; audioKey: string };

export interface RenderedPieces {
  /** The message as people read it (amounts in digits: "12 345 рублей 50 копеек"). */
  text: string;
  pieces: SpokenPiece[];
}
