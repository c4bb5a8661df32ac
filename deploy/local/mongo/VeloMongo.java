// The project's local MongoDB-wire server: mongo-java-server on 127.0.0.1, in memory or in an H2
// MVStore file. Built by velo_devinfra (javac against the jars deploy/local/mongo/pom.xml resolves).
// Our backends (VeloMemoryBackend, VeloH2Backend) also serve queries from non-unique indexes.
//
//   java -cp 'classes:lib/*' VeloMongo --port 27017 [--backend memory|h2] [--data FILE]
//
// Prints "listening 127.0.0.1:PORT" once it accepts connections. SIGTERM shuts the server down and
// closes the MVStore, so everything written before it is on disk.

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.h2.mvstore.MVStore;

public final class VeloMongo {

    private static final String HOST = "127.0.0.1";
    private static final String USAGE =
        "usage: VeloMongo --port N [--backend memory|h2] [--data FILE (h2 only, required)]";

    /**
     * What the server claims to be. mongo-java-server 1.47 answers as MongoDB 5.0 with wire version
     * 8 by default, below the 9 (MongoDB 4.4) current PyMongo requires. 9 is the lowest PyMongo
     * accepts, and claims the fewest features the server may not have.
     */
    private static final MongoVersion VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    private VeloMongo() {
    }

    private static final class BadArguments extends Exception {
        private static final long serialVersionUID = 1L;

        BadArguments(String message) {
            super(message);
        }
    }

    private record Options(int port, String backend, Path data) {
    }

    public static void main(String[] args) throws InterruptedException {
        // Before any logger exists: slf4j-simple to stderr, warnings and errors only.
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");

        Options options;
        try {
            options = parse(args);
        } catch (BadArguments e) {
            System.err.println("VeloMongo: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        MongoBackend backend;
        MVStore store = null;
        try {
            if (options.backend().equals("h2")) {
                Path parent = options.data().toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                store = new MVStore.Builder().fileName(options.data().toString()).open();
                backend = new VeloH2Backend(store);
            } else {
                backend = new VeloMemoryBackend();
            }
        } catch (Exception e) {
            System.err.println("VeloMongo: cannot open " + options.data() + ": " + e);
            System.exit(1);
            return;
        }
        backend.version(VERSION);

        MongoServer server = new MongoServer(backend);
        try {
            server.bind(HOST, options.port());
        } catch (Exception e) {
            System.err.println("VeloMongo: cannot listen on " + HOST + ":" + options.port() + ": " + e);
            closeQuietly(store);
            System.exit(1);
            return;
        }

        MVStore storeToClose = store;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.shutdownNow(); // closes the clients, then the backend (and its MVStore)
            } finally {
                closeQuietly(storeToClose);
                stopped.countDown();
            }
        }, "velo-mongo-shutdown"));

        System.out.println("listening " + HOST + ":" + options.port());
        System.out.flush();
        stopped.await();
    }

    private static Options parse(String[] args) throws BadArguments {
        Integer port = null;
        String backend = "memory";
        Path data = null;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!List.of("--port", "--backend", "--data").contains(name)) {
                throw new BadArguments("unknown argument '" + name + "'");
            }
            if (i + 1 >= args.length) {
                throw new BadArguments(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--port" -> port = parsePort(value);
                case "--backend" -> backend = value;
                default -> data = Path.of(value);
            }
        }
        if (port == null) {
            throw new BadArguments("--port is required");
        }
        if (!backend.equals("memory") && !backend.equals("h2")) {
            throw new BadArguments("--backend must be memory or h2, not '" + backend + "'");
        }
        if (backend.equals("h2") && data == null) {
            throw new BadArguments("--backend h2 needs --data FILE");
        }
        if (backend.equals("memory") && data != null) {
            throw new BadArguments("--data is only for --backend h2");
        }
        return new Options(port, backend, data);
    }

    private static int parsePort(String value) throws BadArguments {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadArguments("--port must be a number from 1 to 65535, not '" + value + "'");
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    private static void closeQuietly(MVStore store) {
        if (store != null && !store.isClosed()) {
            try {
                store.close();
            } catch (RuntimeException e) {
                System.err.println("VeloMongo: closing the store failed: " + e);
            }
        }
    }
}
