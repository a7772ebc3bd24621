// The sandbox's model of TikTok's event deduplication (sandbox/dedup.ts), rule by rule.
import { createDedupLedger } from "../../../sandbox/dedup";

const T0 = Date.parse("2026-12-01T10:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const copy = (source: "browser" | "server", at: number, eventId = "1001") => ({ pixelCode: "C2SBX001", event: "Purchase", eventId, source, at: new Date(at) });

describe("TikTok's deduplication as the sandbox counts it", () => {
  it("a browser and a server copy within 5 minutes are merged: one purchase", () => {
    const ledger = createDedupLedger();
    expect(ledger.record(copy("browser", T0))).toBe("counted");
    expect(ledger.record(copy("server", T0 + 4 * MIN))).toBe("merged");
    expect(ledger.summary()).toMatchObject({ counted: 1, merged: 1, dropped: 0 });
  });

  it("a later copy within 48 hours of the first is dropped; after 48 hours it counts again", () => {
    const ledger = createDedupLedger();
    ledger.record(copy("browser", T0));
    expect(ledger.record(copy("server", T0 + 47 * HOUR))).toBe("dropped");
    expect(ledger.record(copy("server", T0 + 49 * HOUR))).toBe("counted");
    expect(ledger.summary().counted).toBe(2);
  });

  it("two server copies are never merged, only dropped within the window", () => {
    const ledger = createDedupLedger();
    ledger.record(copy("server", T0));
    expect(ledger.record(copy("server", T0 + MIN))).toBe("dropped");
  });

  it("another event_id, pixel or name is another purchase", () => {
    const ledger = createDedupLedger();
    ledger.record(copy("browser", T0));
    expect(ledger.record(copy("server", T0, "1002"))).toBe("counted");
    expect(ledger.record({ ...copy("server", T0), pixelCode: "C2SBX002" })).toBe("counted");
    expect(ledger.record({ ...copy("server", T0), event: "CompletePayment" })).toBe("counted");
    expect(ledger.summary().counted).toBe(4);
  });
});
