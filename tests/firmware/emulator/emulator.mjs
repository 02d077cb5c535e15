// Boots a Raspberry Pi Pico (W) UF2 image in rp2040js and exposes its USB CDC serial port.
// The serial port is served on a Unix socket (--socket PATH: only processes that can reach PATH can
// type at the board) or, for a person at the keyboard, on a TCP port of 127.0.0.1 (--port N);
// `socat pty,link=DEV,rawer unix-connect:PATH` (or `tcp:127.0.0.1:PORT`) makes it a serial device that
// mpremote can open. Notes go to stderr; device output is also appended to --log.
//
//   node emulator.mjs --image firmware.uf2 --bootrom bootrom-b1.bin [--socket PATH | --port N]
//                     [--port-file F] [--flash state.bin] [--log out.txt]
//
// Why not TCP for tests: any local process can connect to a TCP port, and on a busy machine other
// suites' clients do reach it (a port taken between a free-port probe and the server's bind): their
// bytes land on the board's console (Ctrl-C, Ctrl-D: a soft reset, a second boot) and the serial
// client they replace loses the board.
//
// rp2040js does not program flash: the boot ROM's flash functions are patched to BKPT stubs whose
// handler edits mcu.flash, so MicroPython can format and write its littlefs filesystem.
// SIGUSR1 presses the BOOTSEL button, SIGUSR2 releases it. SIGTERM saves the flash to --flash.
import { appendFileSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ConsoleLogger, LogLevel, Simulator, USBCDC } from 'rp2040js';

const FLASH_BASE = 0x10000000;
const UF2_MAGIC = [0x0a324655, 0x9e5d5157];
const UF2_MAGIC_END = 0x0ab16f30;
const BKPT_ERASE = 0x01;
const BKPT_PROGRAM = 0x02;
const THUMB_BX_LR = 0x4770;
const THUMB_BKPT = 0xbe00;

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.image || !args.bootrom) {
    throw new Error('usage: emulator.mjs --image X.uf2 --bootrom B.bin [--socket PATH | --port N] [--port-file F] [--flash F] [--log L]');
  }
  return args;
}

function note(text) {
  process.stderr.write(`[emulator] ${text}\n`);
}

// Copies every UF2 block's payload into flash; returns the number of blocks.
function loadUF2(flash, data) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let blocks = 0;
  for (let off = 0; off + 512 <= data.length; off += 512) {
    if (view.getUint32(off, true) !== UF2_MAGIC[0] || view.getUint32(off + 4, true) !== UF2_MAGIC[1]
        || view.getUint32(off + 508, true) !== UF2_MAGIC_END) {
      throw new Error(`not a UF2 block at byte ${off}`);
    }
    const target = view.getUint32(off + 12, true);
    const size = view.getUint32(off + 16, true);
    flash.set(data.subarray(off + 32, off + 32 + size), target - FLASH_BASE);
    blocks++;
  }
  return blocks;
}

// The boot ROM's function table: ROM address 0x14 holds a 16-bit pointer to (code, function) pairs.
function romFunction(rom, code) {
  const view = new DataView(rom.buffer);
  const tag = code.charCodeAt(0) | (code.charCodeAt(1) << 8);
  for (let entry = view.getUint16(0x14, true); ; entry += 4) {
    const entryTag = view.getUint16(entry, true);
    if (entryTag === 0) throw new Error(`ROM function ${code} not found`);
    if (entryTag === tag) return view.getUint16(entry + 2, true) & ~1;
  }
}

// Overwrites the first instructions of a ROM function: `bkpt #imm; bx lr`, or just `bx lr`.
function patchRom(rom, code, bkptImm) {
  const view = new DataView(rom.buffer);
  const addr = romFunction(rom, code);
  if (bkptImm === undefined) {
    view.setUint16(addr, THUMB_BX_LR, true);
  } else {
    view.setUint16(addr, THUMB_BKPT | bkptImm, true);
    view.setUint16(addr + 2, THUMB_BX_LR, true);
  }
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const sim = new Simulator();
  const mcu = sim.rp2040;
  // Unimplemented-register warnings (the CYW43's PIO/SPI traffic) would flood the console.
  mcu.logger = new ConsoleLogger(args.verbose ? LogLevel.Debug : LogLevel.Error);

  const romBytes = readFileSync(args.bootrom);
  const rom = new Uint8Array(romBytes.buffer.slice(romBytes.byteOffset, romBytes.byteOffset + romBytes.length));
  patchRom(rom, 'RE', BKPT_ERASE);
  patchRom(rom, 'RP', BKPT_PROGRAM);
  // XIP mode switches around a flash write: nothing to do when flash is a plain array.
  for (const code of ['IF', 'EX', 'FC', 'CX']) patchRom(rom, code);
  mcu.loadBootrom(new Uint32Array(rom.buffer));

  if (args.flash && existsSync(args.flash)) {
    mcu.flash.set(readFileSync(args.flash));
    note(`flash state loaded from ${args.flash}`);
  }
  const blocks = loadUF2(mcu.flash, readFileSync(args.image));
  note(`image ${args.image}: ${blocks} UF2 blocks`);

  let erased = 0;
  let programmed = 0;
  mcu.onBreak = (code) => {
    const [r0, r1, r2] = mcu.core.registers;
    if (code === BKPT_ERASE) {
      mcu.flash.fill(0xff, r0, r0 + r1);
      erased += r1;
    } else if (code === BKPT_PROGRAM) {
      for (let i = 0; i < r2; i++) mcu.flash[r0 + i] &= mcu.readUint8(r1 + i);
      programmed += r2;
    } else {
      note(`unexpected BKPT #${code} at PC ${(mcu.core.PC - 2).toString(16)}; stopping`);
      sim.stop();
    }
  };

  // BOOTSEL is the flash chip-select line read back as an input: high (with the input enabled) is
  // "released"; rp2040js starts it low, which MicroPython would read as a held button.
  const bootsel = mcu.qspi[1];
  bootsel.padValue |= 0x40;
  bootsel.setInputValue(true);
  process.on('SIGUSR1', () => { note('BOOTSEL pressed'); bootsel.setInputValue(false); });
  process.on('SIGUSR2', () => { note('BOOTSEL released'); bootsel.setInputValue(true); });

  const cdc = new USBCDC(mcu.usbCtrl);
  const pending = [];
  let connected = false;
  let client = null;
  const feed = () => {
    while (connected && pending.length && cdc.txFIFO.itemCount < cdc.txFIFO.size - 1) {
      cdc.sendSerialByte(pending.shift());
    }
  };
  cdc.onDeviceConnected = () => { connected = true; note('USB serial connected'); feed(); };
  cdc.onSerialData = (buffer) => {
    const bytes = Buffer.from(buffer);
    if (args.log) appendFileSync(args.log, bytes);
    if (client) client.write(bytes);
  };
  setInterval(feed, 2);

  // The serial port: one client at a time, a new one replaces the old (the test hands the port to
  // mpremote's socat and takes it back). Each client is noted, so a log shows who typed.
  let clients = 0;
  const server = createServer((socket) => {
    const id = ++clients;
    note(`serial client ${id} connected${client ? ' (replaces the previous one)' : ''}`);
    if (client) client.destroy();
    client = socket;
    socket.on('data', (chunk) => { pending.push(...chunk); feed(); });
    socket.on('close', () => { note(`serial client ${id} gone`); if (client === socket) client = null; });
    socket.on('error', () => {});
  });
  const listening = () => {
    const where = args.socket ? `unix socket ${args.socket}` : `tcp 127.0.0.1:${server.address().port}`;
    note(`serial on ${where}`);
    if (args['port-file']) writeFileSync(args['port-file'], args.socket || String(server.address().port));
  };
  if (args.socket) {
    if (existsSync(args.socket)) unlinkSync(args.socket);
    server.listen(args.socket, listening);
  } else {
    server.listen(Number(args.port || 0), '127.0.0.1', listening);
  }

  const finish = (why) => {
    sim.stop();
    if (args.flash) writeFileSync(args.flash, mcu.flash);
    note(`stopped (${why}); flash erased ${erased} bytes, programmed ${programmed} bytes`);
    process.exit(0);
  };
  process.on('SIGTERM', () => finish('SIGTERM'));
  process.on('SIGINT', () => finish('SIGINT'));

  // Start at the second-stage bootloader at the top of flash, as the ROM would after its checks.
  mcu.core.PC = FLASH_BASE;
  sim.execute();
  note('running');
}

main();
