import { mount } from 'svelte';
import App from './App.svelte';
import { installGlobalErrorHandlers } from './lib/errors.svelte';
import { startRouter } from './lib/router.svelte';
import './styles.css';

installGlobalErrorHandlers();
startRouter();
mount(App, { target: document.getElementById('app')! });
