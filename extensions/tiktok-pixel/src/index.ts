// Entry of the web pixel extension: Shopify's register() hands the pixel its API (ADR 0019).
import { register } from "@shopify/web-pixels-extension";
import { pixel } from "./pixel";

register((api) => pixel(api));
