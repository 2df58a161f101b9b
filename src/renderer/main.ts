import { mount } from 'svelte';
import App from './App.svelte';
import { clientReady } from './lib/client';
import { installGlobalErrorHandlers } from './lib/errors.svelte';
import { startRouter } from './lib/router.svelte';
import './styles.css';

installGlobalErrorHandlers();
startRouter();
// media addresses need the web door's media key before the first image is drawn
void clientReady.then(() => mount(App, { target: document.getElementById('app')! }));
