/** The boot loader configurations of a network boot folder; every path is relative to the folder (the TFTP root). */
export interface LoaderFiles {
  kernel: string;
  initrds: readonly string[];
  cmdline: string;
  title: string;
}

/**
 * iPXE (the firmware of most virtual NICs, and chainloadable everywhere):
 * relative names resolve against the script's own URL, so the same script
 * works fetched by TFTP or over HTTP.
 */
export function ipxeScript(f: LoaderFiles): string {
  return [
    '#!ipxe',
    `# ${f.title}: written by capmedia's netboot media type`,
    `kernel ${f.kernel} ${f.cmdline}`,
    ...f.initrds.map((initrd) => `initrd ${initrd}`),
    'boot',
    '',
  ].join('\n');
}

/** PXELINUX (Debian's pxelinux package): pxelinux.0 and ldlinux.c32 go beside pxelinux.cfg/. */
export function pxelinuxConfig(f: LoaderFiles): string {
  return [
    'SERIAL 0 115200',
    'DEFAULT capture',
    'PROMPT 0',
    'TIMEOUT 1',
    '',
    'LABEL capture',
    `  MENU LABEL ${f.title}`,
    `  KERNEL ${f.kernel}`,
    `  INITRD ${f.initrds.join(',')}`,
    `  APPEND ${f.cmdline}`,
    '',
  ].join('\n');
}

/** GRUB booted over the network (grub-mknetdir): $root is the TFTP server, so paths are from the folder's root. */
export function grubConfig(f: LoaderFiles): string {
  return [
    'serial --unit=0 --speed=115200',
    'terminal_input serial console',
    'terminal_output serial console',
    'set timeout=0',
    'set default=0',
    '',
    `menuentry "${f.title.replace(/"/g, "'")}" {`,
    `  linux /${f.kernel} ${f.cmdline}`,
    `  initrd ${f.initrds.map((i) => `/${i}`).join(' ')}`,
    '}',
    '',
  ].join('\n');
}
