import net from 'node:net';

/** Baseline child: connects to the socket path it is given and echoes every chunk straight back. */
const socket = net.connect(process.argv[2] as string);
socket.setNoDelay(true);
socket.on('data', (chunk) => socket.write(chunk));
