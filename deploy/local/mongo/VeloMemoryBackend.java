// mongo-java-server's in-memory backend, opening VeloMemoryDatabases (with real secondary indexes).

import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;

final class VeloMemoryBackend extends MemoryBackend {

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new VeloMemoryDatabase(databaseName, getCursorRegistry());
    }
}
