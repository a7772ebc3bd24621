import type { MetaFunction } from "@remix-run/node";

const APP_NAME = "TikTok Ads";

/** The browser tab's title: the page's own title, then the app's name (equal to the menu label). */
export const documentTitle = (title?: string) => (title && title !== APP_NAME ? `${title} · ${APP_NAME}` : APP_NAME);

/** A route's `meta` export for a page with a fixed title. */
export const titled = (title?: string): MetaFunction => () => [{ title: documentTitle(title) }];
