import { z } from 'zod';
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

// zod v4 compiles validators with `new Function` unless told not to; the CSP forbids eval.
z.config({ jitless: true });

mount(App, { target: document.getElementById('app')! });
