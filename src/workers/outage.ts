// How long a job waits, without spending a try, while PostgreSQL or Redis is away.

/** Pauses between tries while a backing service is down: 1 s doubling up to 30 s. */
export const outageDelayMs = (tries: number) => Math.min(30_000, 1000 * 2 ** Math.min(5, Math.max(0, tries - 1)));

/** A short, jittered pause for a job whose conversation another worker is busy with. */
export const busyDelayMs = () => 200 + Math.floor(Math.random() * 400);
