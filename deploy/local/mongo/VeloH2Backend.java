// mongo-java-server's H2 MVStore backend, opening VeloH2Databases (with real secondary indexes).

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.h2.mvstore.MVStore;

final class VeloH2Backend extends H2Backend {

    VeloH2Backend(MVStore mvStore) {
        super(mvStore);
    }

    // H2Backend's constructor already calls this for every database in the store; getMvStore()
    // and the cursor registry are set by then.
    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new VeloH2Database(databaseName, getMvStore(), getCursorRegistry());
    }
}
