// The process-wide budget of request body bytes in flight (issue 27 H1/H2; docs/decisions/0014 "Memory").
import { BODY_BUDGET_BYTES, readBody, requestBodyFits } from "~/core/lib/read-body.server";

const MB = 1024 * 1024;

/** A POST whose body arrives in `chunks` of 1 MB and then stalls until `finish` is called. */
function stalledPost(mb: number, declare: boolean) {
  let finish!: () => void;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (let i = 0; i < mb; i++) controller.enqueue(new Uint8Array(MB));
      await new Promise<void>((resolve) => (finish = resolve));
      controller.close();
    },
  });
  const headers: Record<string, string> = declare ? { "Content-Length": String(mb * MB + 1) } : {};
  const request = new Request("https://app.example.com/webhooks/orders/create", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { request, finish: () => finish?.() };
}

describe("the body budget", () => {
  it("refuses a declared body that does not fit what others hold, before reading it, and admits it once they are released", async () => {
    const held = [];
    // Three bodies of 5 MB fit the 16 MB budget; the fourth does not.
    for (let i = 0; i < 3; i++) {
      const r = await readBody(new Request("https://app.example.com/x", { method: "POST", body: new Uint8Array(5 * MB) }), 5 * MB);
      expect(typeof r).toBe("object");
      held.push(r as Exclude<typeof r, string>);
    }
    expect(requestBodyFits(5 * MB)).toBe(false);
    expect(await readBody(new Request("https://app.example.com/x", { method: "POST", body: new Uint8Array(5 * MB) }), 5 * MB)).toBe("busy");
    for (const h of held) h.release();
    expect(requestBodyFits(BODY_BUDGET_BYTES)).toBe(true);
    const again = await readBody(new Request("https://app.example.com/x", { method: "POST", body: new Uint8Array(5 * MB) }), 5 * MB);
    expect(typeof again).toBe("object");
    (again as Exclude<typeof again, string>).release();
  });

  it("counts undeclared (chunked) bodies chunk by chunk while they arrive, and refuses the one that would pass the budget", async () => {
    const first = stalledPost(12, false);
    const reading = readBody(first.request, 20 * MB);
    await new Promise((r) => setTimeout(r, 20));
    // 12 MB of the first body are held while it stalls: 5 more do not fit.
    const second = stalledPost(5, false);
    expect(await readBody(second.request, 20 * MB)).toBe("busy");
    first.finish();
    const done = await reading;
    expect(typeof done).toBe("object");
    (done as Exclude<typeof done, string>).release();
    expect(requestBodyFits(BODY_BUDGET_BYTES)).toBe(true);
  });

  it("gives a body refused for its size back to the budget", async () => {
    expect(await readBody(new Request("https://app.example.com/x", { method: "POST", body: new Uint8Array(2 * MB) }), MB)).toBe("too_large");
    expect(requestBodyFits(BODY_BUDGET_BYTES)).toBe(true);
  });
});
