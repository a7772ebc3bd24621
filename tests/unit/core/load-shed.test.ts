import { createLoadShedder } from "~/core/load-shed.server";

describe("load shedding", () => {
  it("admits up to maxInFlight, refuses the next with a reason and a retry time, and admits again once one is answered", () => {
    const shedder = createLoadShedder({ maxInFlight: 2, maxAgeMs: 10_000, maxLoopDelayMs: 1_000, now: () => 0 });
    const a = shedder.admit();
    const b = shedder.admit();
    expect([a.admitted, b.admitted]).toEqual([true, true]);
    const c = shedder.admit();
    expect(c).toMatchObject({ admitted: false, reason: "2 webhooks in flight (limit 2)", retryAfterS: 10 });
    if (a.admitted) a.release();
    expect(shedder.admit().admitted).toBe(true);
    expect(shedder.stats()).toEqual({ inFlight: 2, shed: 1 });
  });

  it("refuses when the oldest webhook in flight has waited longer than maxAgeMs (the database is slow)", () => {
    let t = 0;
    const shedder = createLoadShedder({ maxInFlight: 100, maxAgeMs: 2_500, maxLoopDelayMs: 1_000, now: () => t });
    const first = shedder.admit();
    t = 2_500;
    expect(shedder.admit().admitted).toBe(true);
    t = 2_501;
    expect(shedder.admit()).toMatchObject({ admitted: false, reason: "oldest webhook in flight for 2501 ms (limit 2500)" });
    if (first.admitted) first.release();
    expect(shedder.admit().admitted).toBe(true);
  });

  it("refuses while the event loop's measured delay is over the limit and webhooks pile up (CPU saturated), not for a late loop alone", () => {
    let delay = 1_200;
    const shedder = createLoadShedder({ maxInFlight: 100, maxAgeMs: 2_500, maxLoopDelayMs: 1_000, now: () => 0, loopDelayMs: () => delay });
    // fewer than 8 in flight: a GC pause or a burst of other work is no reason to refuse
    const held = Array.from({ length: 8 }, () => shedder.admit());
    expect(held.every((a) => a.admitted)).toBe(true);
    expect(shedder.admit()).toMatchObject({ admitted: false, reason: "event loop delay p99 1200 ms (limit 1000)" });
    delay = 40;
    expect(shedder.admit().admitted).toBe(true);
  });
});
