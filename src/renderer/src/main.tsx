import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { DesktopApi } from './api';

declare global {
  interface Window {
    hoist: DesktopApi;
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={window.hoist} />
  </StrictMode>,
);
