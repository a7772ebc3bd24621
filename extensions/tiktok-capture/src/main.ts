// Bundle entry for assets/capture.min.js (see capture.ts for what it does and why).
import { start, type Win } from "./capture";

start(window as unknown as Win);
