import type { DetailedHTMLProps, HTMLAttributes } from "react";

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "ui-nav-menu": DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement>;
      "ui-save-bar": DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement>;
    }
  }
}

declare global {
  interface Window {
    /** App Bridge's global, present only inside the Shopify admin (its script comes from Shopify's CDN). */
    shopify?: { saveBar?: { show(id: string): Promise<void>; hide(id: string): Promise<void> } };
  }
}
