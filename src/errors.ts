// Every error netml raises on purpose: each carries an exit code (sysexits.h numbers) and a hint that says
// what to type instead. The CLI prints `message` and `hint`, and a stack only with --debug.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 64, // EX_USAGE: bad option or argument
  badData: 65, // EX_DATAERR: input exists but is not what we expected
  missingInput: 66, // EX_NOINPUT: input file missing or unreadable
  internal: 70, // EX_SOFTWARE
  cannotWrite: 73, // EX_CANTCREAT
  noPermission: 77, // EX_NOPERM
  interrupted: 130,
} as const;

export class NetmlError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: number, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A bad option, argument or combination of them. */
export class UsageError extends NetmlError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint ?? 'run `netml <command> --help` for the options and examples');
  }
}

/** An input path that does not exist, is a directory, or cannot be read. */
export class MissingInputError extends NetmlError {
  readonly path: string;
  constructor(path: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.missingInput, hint, options);
    this.path = path;
  }
}

/** Input that exists but is not what we expected (not a capture, corrupt header, bad CSV...). */
export class BadDataError extends NetmlError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.badData, hint, options);
  }
}

/**
 * A capture file that cannot be read from its start: the byte offset says where, so the user can look
 * with a hex dump. Damage after the first packets is not thrown but reported as a CaptureWarning.
 */
export class CaptureFormatError extends BadDataError {
  readonly path: string;
  readonly byteOffset: number;
  constructor(path: string, byteOffset: number, message: string, hint?: string) {
    super(`${path}: ${message} (at byte ${byteOffset})`, hint);
    this.path = path;
    this.byteOffset = byteOffset;
  }
}

/** An output that cannot be created or written (read-only dir, disk full...). */
export class CannotWriteError extends NetmlError {
  readonly path: string;
  constructor(path: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.cannotWrite, hint, options);
    this.path = path;
  }
}

/** Live capture without the privileges libpcap needs. */
export class PermissionError extends NetmlError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(
      message,
      ExitCode.noPermission,
      hint ??
        'run with sudo, or grant the capability once: sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(which node)")"',
      options,
    );
  }
}

/** A network interface name that libpcap does not know. */
export class UnknownInterfaceError extends NetmlError {
  constructor(name: string, available: string[]) {
    super(
      `no network interface named "${name}"`,
      ExitCode.usage,
      available.length > 0
        ? `available interfaces: ${available.join(', ')}`
        : 'libpcap lists no interfaces at all; are you inside a container without network access?',
    );
  }
}

/** Something libpcap or the live source itself reported that is not the user's fault. */
export class CaptureDeviceError extends NetmlError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failure, hint, options);
  }
}

/** Turns a Node fs error on an input path into the matching NetmlError. */
export function inputFileError(path: string, err: unknown, kind: InputKind = CAPTURE_INPUT): NetmlError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new MissingInputError(path, `${path}: ${kind.missing ?? 'no such file'}`, kind.missingHint);
  }
  if (code === 'EISDIR') {
    return new MissingInputError(path, `${path} is a directory, not a ${kind.name}`, `give the path of ${kind.example}`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new MissingInputError(path, `${path}: permission denied`, 'check the file mode, or read it as its owner', { cause: err });
  }
  return new MissingInputError(path, `${path}: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err });
}

/** What an input file is, for the messages of inputFileError. */
export interface InputKind {
  name: string;
  /** "a .pcap or .pcapng file" */
  example: string;
  /** what a missing one is called after its path (default "no such file") */
  missing?: string;
  missingHint: string;
}

export const CAPTURE_INPUT: InputKind = { name: 'capture file', example: 'a .pcap or .pcapng file', missingHint: 'check the path; `ls dataset/` shows what capture wrote' };
export const MODEL_INPUT: InputKind = {
  name: 'model file',
  example: 'a model written by `netml train`, e.g. models/rf.json',
  missing: 'no such model file',
  missingHint: 'train one first: `netml train --model iforest` (or --model rf), or give --model',
};
export const LABEL_RULES_INPUT: InputKind = { name: 'label rules file', example: 'a JSON or CSV rules file (docs/extract.md)', missingHint: 'check the path; docs/extract.md shows the rules format' };

/** Turns a Node fs error on an output path into a CannotWriteError. */
export function outputFileError(path: string, err: unknown): NetmlError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOENT'
          ? 'its directory does not exist'
          : code === 'EISDIR'
            ? 'it is a directory'
            : code === 'EPIPE'
              ? 'the program reading the pipe closed it (as `head` does) before the end'
              : ((err as Error)?.message ?? String(err));
  const hint = code === 'EPIPE' ? 'read the whole output, or write it to a file' : 'choose another path with the output options, or free space / fix permissions';
  return new CannotWriteError(path, `cannot write ${path}: ${why}`, hint, { cause: err });
}
