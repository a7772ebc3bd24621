import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { addDocumentResponseHeaders } from "./core/shopify.server";
import { addPageHeaders } from "./core/lib/page-headers.server";
import { startBackgroundJobs } from "./features/jobs.server";

// scripts/serve.mjs reads these through the server build's entry module: its port, host and
// shutdown grace (validated by the env schema), the jobs to stop on SIGTERM, and whether a declared
// body fits the process's budget of request bytes in flight (refused before the app sees it).
export { stopBackgroundJobs } from "./features/jobs.server";
export { requestBodyFits } from "./core/lib/read-body.server";
export { serveSettings } from "./core/env.server";

export const streamTimeout = 5000;

startBackgroundJobs();

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  addPageHeaders(responseHeaders);
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} />,
      {
        [callbackName]: () => {
          const body = new PassThrough();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html");
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error) {
          reject(error);
        },
        onError(error) {
          responseStatusCode = 500;
          console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1000);
  });
}
