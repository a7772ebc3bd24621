// TikTok's event deduplication, as its "Event deduplication" help article states it (ads.tiktok.com
// help, versions Dec 2023 to May 2025; ../shared/ref/tiktok-api.md section 8): copies with the same
// pixel, event name and event_id are one event. A browser and a server copy that arrive within
// 5 minutes of each other are merged; any later copy within 48 hours of the first is dropped; a
// copy more than 48 hours after the first counts again. Test events (test_event_code) are not
// conversions. The sandbox counts what TikTok would count, so tests can assert "never twice".
const WINDOW_MS = 48 * 60 * 60 * 1000;
const MERGE_MS = 5 * 60 * 1000;

type Source = "browser" | "server";
type Outcome = "counted" | "merged" | "dropped";
type Group = { pixelCode: string; event: string; eventId: string; windowStart: number; windowSource: Source; counted: number; copies: { source: Source; at: string; outcome: Outcome }[] };

export function createDedupLedger() {
  const groups = new Map<string, Group>();
  return {
    record(copy: { pixelCode: string; event: string; eventId: string; source: Source; at: Date }): Outcome {
      const key = JSON.stringify([copy.pixelCode, copy.event, copy.eventId]);
      const t = copy.at.getTime();
      let group = groups.get(key);
      let outcome: Outcome;
      if (!group || t - group.windowStart > WINDOW_MS) {
        group ??= { pixelCode: copy.pixelCode, event: copy.event, eventId: copy.eventId, windowStart: t, windowSource: copy.source, counted: 0, copies: [] };
        group.windowStart = t;
        group.windowSource = copy.source;
        group.counted += 1;
        outcome = "counted";
      } else {
        outcome = copy.source !== group.windowSource && Math.abs(t - group.windowStart) <= MERGE_MS ? "merged" : "dropped";
      }
      group.copies.push({ source: copy.source, at: copy.at.toISOString(), outcome });
      groups.set(key, group);
      return outcome;
    },
    summary() {
      const all = [...groups.values()];
      const tally = (o: Outcome) => all.reduce((n, g) => n + g.copies.filter((c) => c.outcome === o).length, 0);
      return {
        counted: tally("counted"),
        merged: tally("merged"),
        dropped: tally("dropped"),
        events: all.map((g) => ({ pixel_code: g.pixelCode, event: g.event, event_id: g.eventId, counted: g.counted, copies: g.copies })),
      };
    },
    clear: () => groups.clear(),
  };
}
