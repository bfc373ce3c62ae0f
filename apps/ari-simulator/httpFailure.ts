/** An ARI request refused: the HTTP status and Asterisk's {"message": ...} text. Thrown by the
 * channel, playback and dialplan code, answered by the HTTP routes. */
export class HttpFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
