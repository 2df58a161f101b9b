// The preload's entry: hands Electron's contextBridge and ipcRenderer to the desktop bridge. The
// only preload file that imports electron.
import { contextBridge, ipcRenderer } from 'electron';
import { exposeDesktopBridge } from './desktop-bridge';

exposeDesktopBridge({ contextBridge, ipcRenderer });
