//! One test per recogniser: the role each framework family gives to the handlers it is handed,
//! and a look-alike it must leave alone.

use crate::model::Frequency;
use crate::model::tests::{containing, with_model};

/// The frequency of the innermost function whose body contains `marker`, in the model of `src`.
fn frequency_at(src: &str, marker: &str) -> Frequency {
    let mut frequency = None;
    with_model(src, |model| {
        frequency = Some(model.role(Some(containing(model, marker))).frequency);
    });
    frequency.expect("the model was built")
}

#[test]
fn http_routes_middleware_hooks_and_servers() {
    let src = r#"
        const app = express();
        app.get('/orders', (req, res) => { ROUTE; });
        app.use((req, res, next) => { MIDDLEWARE; });
        fastify.route({ method: 'GET', url: '/x', handler: (request, reply) => { ROUTE_OBJECT; } });
        fastify.addHook('onRequest', (request, reply, done) => { REQUEST_HOOK; });
        fastify.addHook('onClose', (instance, done) => { CLOSE_HOOK; });
        server.ext('onPreAuth', (request, h) => { EXT; });
        net.createServer((socket) => { NET; });
        app.get('/settings-reader', (function () { return 1; })());
        config.get('port', () => { NOT_A_ROUTE; });
    "#;
    assert_eq!(frequency_at(src, "ROUTE;"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "MIDDLEWARE"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "ROUTE_OBJECT"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "REQUEST_HOOK"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "CLOSE_HOOK"), Frequency::StartUp);
    assert_eq!(frequency_at(src, "EXT"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "NET"), Frequency::PerConnection);
    // `config.get('port', cb)`: not a path, not a router: not a route.
    assert_ne!(frequency_at(src, "NOT_A_ROUTE"), Frequency::PerRequest);
}

#[test]
fn mock_servers_are_not_routes() {
    let src = r#"
        import { http } from 'msw';
        http.get('/user', () => { MOCK; });
    "#;
    assert_ne!(frequency_at(src, "MOCK"), Frequency::PerRequest);
}

#[test]
fn events_by_what_they_mean() {
    let src = r#"
        io.on('connection', (socket) => {
          socket.on('chat', (msg) => { MESSAGE; });
          socket.on('disconnect', () => { LIFECYCLE; });
        });
        server.on('request', (req, res) => { SERVER_REQUEST; });
        clientRequest.on('request', () => { CLIENT_REQUEST; });
        bus.once('tick', () => { ONCE; });
    "#;
    assert_eq!(frequency_at(src, "MESSAGE"), Frequency::PerMessage);
    // A lifecycle handler runs as often as the code that registers it: once per connection.
    assert_eq!(frequency_at(src, "LIFECYCLE"), Frequency::PerConnection);
    assert_eq!(frequency_at(src, "SERVER_REQUEST"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "CLIENT_REQUEST"), Frequency::StartUp);
    assert_eq!(frequency_at(src, "ONCE"), Frequency::StartUp);
}

#[test]
fn clients_that_reconnect_by_themselves() {
    let src = r#"
        const { io } = require('socket.io-client');
        const Redis = require('ioredis');
        const net = require('net');
        const socket = io('https://chat.example.com');
        const redis = new Redis();
        const conn = net.connect(6000);
        socket.on('connect', () => { SOCKET_CONNECT; });
        socket.once('connect', () => { SOCKET_ONCE; });
        redis.on('ready', () => { REDIS_READY; });
        redis.on('end', () => { REDIS_END; });
        conn.on('connect', () => { NET_CONNECT; });
    "#;
    assert_eq!(
        frequency_at(src, "SOCKET_CONNECT"),
        Frequency::PerConnection
    );
    assert_eq!(frequency_at(src, "SOCKET_ONCE"), Frequency::StartUp);
    assert_eq!(frequency_at(src, "REDIS_READY"), Frequency::PerConnection);
    assert_eq!(frequency_at(src, "REDIS_END"), Frequency::StartUp);
    // A plain TCP client connects once.
    assert_eq!(frequency_at(src, "NET_CONNECT"), Frequency::StartUp);
}

#[test]
fn servers_and_clients_by_how_they_are_made() {
    let src = r#"
        const http = require('http');
        const net = require('net');
        const { Server } = require('socket.io');
        const srv = http.createServer();
        srv.on('request', (req, res) => { MADE_SERVER; });
        const listening = app.listen(3000);
        listening.on('connect', (req, socket) => { LISTEN_RESULT; });
        const nsp = new Server(srv).of('/chat');
        nsp.on('connect', (socket) => { NAMESPACE; });
        const server = net.connect(4000);
        server.on('connect', () => { CLIENT_NAMED_SERVER; });
        function serve(webServer) {
          webServer.on('request', (req, res) => { NAME_ONLY; });
        }
    "#;
    assert_eq!(frequency_at(src, "MADE_SERVER"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "LISTEN_RESULT"), Frequency::PerConnection);
    assert_eq!(frequency_at(src, "NAMESPACE"), Frequency::PerConnection);
    // Evidence wins over the name: `net.connect` makes a client, whose 'connect' fires once.
    assert_eq!(frequency_at(src, "CLIENT_NAMED_SERVER"), Frequency::StartUp);
    // No evidence: the name is the last resort.
    assert_eq!(frequency_at(src, "NAME_ONLY"), Frequency::PerRequest);
}

#[test]
fn queue_workers_and_consumers() {
    let src = r#"
        queue.process(async (job) => { BULL; });
        channel.consume('orders', (msg) => { AMQP; });
        consumer.run({ eachMessage: async ({ message }) => { KAFKA; } });
        process.on('SIGTERM', () => { SIGNAL; });
    "#;
    assert_eq!(frequency_at(src, "BULL"), Frequency::PerMessage);
    assert_eq!(frequency_at(src, "AMQP"), Frequency::PerMessage);
    assert_eq!(frequency_at(src, "KAFKA"), Frequency::PerMessage);
    assert_eq!(frequency_at(src, "SIGNAL"), Frequency::StartUp);
}

#[test]
fn intervals_tick() {
    let src = r#"
        setInterval(() => { PLAIN; }, 1000);
        timers.setInterval(() => { MODULE; }, 1000);
        scheduler.setInterval(() => { UNKNOWN; }, 1000);
    "#;
    assert_eq!(frequency_at(src, "PLAIN"), Frequency::PerTick);
    assert_eq!(frequency_at(src, "MODULE"), Frequency::PerTick);
    assert_eq!(frequency_at(src, "UNKNOWN"), Frequency::StartUp);
}

#[test]
fn nest_decorators() {
    let src = r#"
        @Controller('orders')
        export class Orders {
          @Get(':id')
          find() { GET; }
          @Cron('* * * * *')
          sweep() { CRON; }
          @SubscribeMessage('chat')
          chat() { WS; }
        }
    "#;
    assert_eq!(frequency_at(src, "GET"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "CRON"), Frequency::PerTick);
    assert_eq!(frequency_at(src, "WS"), Frequency::PerMessage);
}

#[test]
fn passport_verify_callbacks_run_per_login() {
    let src = r#"
        const { Strategy } = require('passport-local');
        const { Strategy: Own } = require('./own-strategy');
        passport.use(new Strategy(async (user, password, done) => { VERIFY; }));
        new Own(async () => { OWN; });
    "#;
    assert_eq!(frequency_at(src, "VERIFY"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "OWN"), Frequency::StartUp);
}

#[test]
fn handlers_found_by_their_export() {
    let src = r#"
        export async function GET(request) { ROUTE_GET; }
        export const POST = async (request) => { ROUTE_POST; };
        export async function getItems(request) { HELPER; }
        exports.handler = async (event, context) => { LAMBDA; };
        module.exports.profile = async (event, context) => { SLS; };
        exports.format = (event) => { FORMAT; };
        export default defineEventHandler(async (event) => { H3; });
    "#;
    assert_eq!(frequency_at(src, "ROUTE_GET"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "ROUTE_POST"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "HELPER"), Frequency::PerCall);
    assert_eq!(frequency_at(src, "LAMBDA"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "SLS"), Frequency::PerRequest);
    assert_eq!(frequency_at(src, "FORMAT"), Frequency::PerCall);
    assert_eq!(frequency_at(src, "H3"), Frequency::PerRequest);
}

#[test]
fn nest_gateway_lifecycle_runs_per_connection() {
    let src = r#"
        @WebSocketGateway()
        export class Chat {
          handleConnection(client) { CONNECT; }
          handleDisconnect(client) { DISCONNECT; }
          helper() { HELPER; }
        }
        export class NotAGateway {
          handleConnection(client) { PLAIN; }
        }
    "#;
    assert_eq!(frequency_at(src, "CONNECT"), Frequency::PerConnection);
    assert_eq!(frequency_at(src, "DISCONNECT"), Frequency::PerConnection);
    assert_ne!(frequency_at(src, "HELPER"), Frequency::PerConnection);
    assert_ne!(frequency_at(src, "PLAIN"), Frequency::PerConnection);
}
