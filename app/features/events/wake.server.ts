// An in-process nudge from ingest to the in-process delivery job: "an event was queued". Without
// it a new order waits for the job's next 1 s tick. The outbox row stays the source of truth: a
// nudge that nobody hears (a separate `npm run worker` process, a restart) only means the event
// goes on the next tick, as before.
type Listener = () => void;

const listeners = new Set<Listener>();

/** Called after an event's row is committed. Cheap: no I/O, listeners only schedule work. */
export function eventQueued() {
  for (const listener of listeners) listener();
}

/** Subscribes to eventQueued; returns the unsubscribe function. */
export function onEventQueued(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
