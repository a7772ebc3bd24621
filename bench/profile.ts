// Summarises a V8 CPU profile (node --cpu-prof) as self time per module and per function,
// divided by the number of requests the profiled process served: "where each tenth of a
// millisecond of a request goes". Idle time is left out; GC and (program) are kept, they are
// part of what a request costs.
//   npx tsx bench/profile.ts <file.cpuprofile> [requests]
import { readFileSync } from "node:fs";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type ProfileSummary = { totalMs: number; byModule: Map<string, number>; byFunction: Map<string, number> };

/** The package a script belongs to, "node:<lib>" for Node's own, "app" for the server bundle. */
function moduleOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName || "(native)";
  if (url.startsWith("node:")) return `node:${url.slice(5).replace(/^internal\//, "").split("/")[0]}`;
  const at = url.lastIndexOf("node_modules/");
  if (at !== -1) {
    const parts = url.slice(at + "node_modules/".length).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (/\.builds\/[^/]+\/index\.js$|\/build\/index\.js$/.test(url)) return "app (server bundle)";
  return url.replace(/^file:\/\/.*?\/(scripts|app|bench)\//, "$1/");
}

export function summariseProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const us = profile.timeDeltas[i] ?? 0;
    if (node.callFrame.functionName === "(idle)") return;
    totalUs += us;
    const mod = moduleOf(node.callFrame);
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    const fn = `${mod} ${node.callFrame.functionName || "(anonymous)"}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  });
  const ms = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, v / 1000]));
  return { totalMs: totalUs / 1000, byModule: ms(byModule), byFunction: ms(byFunction) };
}

/** Rows "ms per request" for the biggest entries, largest first. */
export function perRequest(m: Map<string, number>, requests: number, top = 15): [string, number][] {
  return [...m]
    .map(([k, v]) => [k, v / requests] as [string, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
}

if (process.argv[1]?.endsWith("profile.ts") && process.argv[2]) {
  const requests = Number(process.argv[3] ?? 1);
  const s = summariseProfile(process.argv[2]);
  console.log(`total ${(s.totalMs / requests).toFixed(3)} ms per request (${requests} requests)`);
  for (const [k, v] of perRequest(s.byModule, requests, 25)) console.log(`${v.toFixed(3).padStart(8)}  ${k}`);
  console.log("");
  for (const [k, v] of perRequest(s.byFunction, requests, 40)) console.log(`${v.toFixed(3).padStart(8)}  ${k}`);
}
