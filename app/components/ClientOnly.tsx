import { useEffect, useState, type ReactNode } from "react";

/** Renders `children` only in the browser, after hydration; `fallback` on the server and before. */
export function ClientOnly({ children, fallback }: { children: () => ReactNode; fallback: ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return <>{mounted ? children() : fallback}</>;
}
