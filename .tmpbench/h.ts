import WebSocket from 'ws';
const ws = new WebSocket(`ws://127.0.0.1:18199/ari/events?app=dialer&api_key=dialer:p`);
ws.on('open', () => console.log('ws open')); ws.on('message', () => {});
