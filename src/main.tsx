import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.tsx';
import { OfflineNotice } from './ui/OfflineNotice.tsx';
import { registerServiceWorker, UpdateNotice } from './ui/UpdateNotice.tsx';
import './ui/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root element missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
    {/* Fixed in the corner, above the sticky toolbar: seen wherever the page is scrolled, the lab's layout untouched,
        and only the notices' buttons take clicks (the rest lets them through to the lab underneath). */}
    <aside aria-label="Site notices" className="site-notices">
      <OfflineNotice />
      <UpdateNotice />
    </aside>
  </StrictMode>,
);
registerServiceWorker();
