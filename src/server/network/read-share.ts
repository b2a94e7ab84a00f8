// Fair reading between clients. When a socket is readable, libuv reads it up to 32 times 64 KB
// in one poll, and a client's commands run as they are read, so one client pipelining
// megabytes (redis-cli --pipe, a bulk load) made every other client wait for all of it: another
// client's PING p99 22-31 ms and max 114-175 ms during such a load (bench/bulk-fairness.sh,
// bench/results/server-core.md 2026-11-28).
//
// So while another client has read within the last OTHERS_MS, a client streaming more than a
// read holds (its read filled the buffer, or it reads again in the same turn) runs at most
// READ_SHARE bytes of its commands in one event-loop turn: the rest stays buffered, its socket
// is paused, and one more share runs in each turn's check phase until the buffer is done; then
// reading resumes. A client whose whole batch came in one read runs it whole, as before: split,
// a pipeline of 200 SETs from each of 50 clients cost up to 40 % more CPU (the rest copied out,
// a pause and a resume, its replies in two writes). Redis reads 16 KB per client per event, and
// so does this share, whatever the read's size: reads stay 64 KB, since 16 KB reads cost a 1 MB
// SET 16-38 % more CPU (ROADMAP §2). A share ends between commands only (Client.processInput),
// so a big value is never copied out.
// The other client's PING then: p95 0.95-1.18 ms, p99 3.5-3.6, max 9-22 (Redis 0.92-1.25,
// 1.2-1.9, 3-5.5); with a 64 KB read a turn it was 2.6-3.2, 4.9-6.0 and 30-36.
// Alone, a bulk load keeps libuv's long reads and is never paused: pausing whatever the others
// did cost it about 10 % (2026-11-27).
//
// A replica's link to its master always pauses after MASTER_READ_SHARE (one read, about 450
// pipelined SETs): a replica catching up would otherwise apply megabytes in one turn, and every
// other client's replies, keyspace events included, would wait for all of it. At 256 KB a
// probe's event on a replica under a SET -P 16 load came a median 4-10 ms after its write, and
// 1.4 ms on Redis's replica (bench/results/replication.md). Redis too reads its master one
// buffer per event.

/** Bytes of commands a client may run in one turn while others are active (Redis: PROTO_IOBUF_LEN). */
export const READ_SHARE = 16 * 1024;
/** The shared read buffer's size (network/socket.ts): a read this long may have left more behind. */
export const READ_BYTES = 64 * 1024;
/** Bytes a replica's link to its master reads in one turn. */
export const MASTER_READ_SHARE = 64 * 1024;
/** How recent another client's read must be for a client to share the turn (ms). */
const OTHERS_MS = 1000;

/** Who read last, and when another client did (one per server). */
export class ReadShare {
  #last: object | null = null;
  #lastAt = -Infinity;
  /** When a client other than #last last read. */
  #otherAt = -Infinity;

  /**
   * Records a read by `who` at `t` (ms, a monotonic clock); returns whether a client other than
   * `who` read within OTHERS_MS before it.
   */
  note(who: object, t: number): boolean {
    if (this.#last !== who) {
      this.#otherAt = this.#lastAt;
      this.#last = who;
    }
    this.#lastAt = t;
    return t - this.#otherAt < OTHERS_MS;
  }
}
