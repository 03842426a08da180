/**
 * BIRD's control socket spoken directly (no birdc process per query), so a bench can poll every few
 * milliseconds: each reply line starts with a 4-digit code; a reply ends with a line whose code is followed by
 * a space (`0000 `, `0013 `, ...), continuation lines start with a space or code + `-`.
 */
import { createConnection, type Socket } from 'node:net';

export class BirdControl {
  private socket: Socket | undefined;
  private buffer = '';
  private waiting: ((text: string) => void) | undefined;
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async open(): Promise<void> {
    const socket = createConnection(this.path);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => { this.buffer += d; this.drain(); });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => { socket.off('error', reject); resolve(); });
    });
    socket.on('error', () => { /* the receiver went away; pending commands never resolve */ });
    this.socket = socket;
    await this.reply(); // the greeting "0001 BIRD x ready."
  }

  private drain(): void {
    const lines = this.buffer.split('\n');
    for (let i = 0; i < lines.length - 1; i++) {
      if (/^\d{4} /.test(lines[i] ?? '')) {
        const text = lines.slice(0, i + 1).join('\n');
        this.buffer = lines.slice(i + 1).join('\n');
        const w = this.waiting;
        this.waiting = undefined;
        w?.(text);
        return;
      }
    }
  }

  private reply(): Promise<string> {
    return new Promise((resolve) => { this.waiting = resolve; this.drain(); });
  }

  async command(cmd: string): Promise<string> {
    const r = this.reply();
    this.socket?.write(`${cmd}\n`);
    return r;
  }

  close(): void {
    this.socket?.destroy();
  }
}
